import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { MetadataKeys } from '../context/request-context.js';
import { CredentialVersions } from './credential-versions.js';
import type { Identity } from './identity.js';
import { TokenVerifier, unauthenticated } from './token.verifier.js';

const PUBLIC = Symbol('identity:public');

/** Marks a route or message handler that anyone may call (register, login...). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Verified identities by the request (HTTP) or message context (RPC) they were verified for. */
const verified = new WeakMap<object, Identity>();

function carrier(context: ExecutionContext): object {
  return context.getType() === 'http' ? context.switchToHttp().getRequest<object>() : context.switchToRpc().getContext<object>();
}

type RpcContextLike = { getMetadata?: () => Record<string, unknown> | undefined };

/**
 * Verifies the caller on every HTTP route and every message handler it guards. Over HTTP only access
 * tokens count; a core also accepts a module's service token. A core reads the credential from the
 * packet's metadata, never from the payload, and trusts nothing the gateway decided.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
    private readonly versions: CredentialVersions,
  ) {}

  /** Whether a handler of a class is public: read from its metadata once, not on every request. */
  private readonly publicHandlers = new WeakMap<object, WeakMap<object, boolean>>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    let identity: Identity;
    if (context.getType() === 'http') {
      identity = this.tokens.identify(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization, ['access']);
    } else {
      const value = context.switchToRpc().getContext<RpcContextLike>().getMetadata?.()?.[MetadataKeys.AUTHORIZATION];
      identity = this.tokens.identify(typeof value === 'string' ? value : undefined, ['access', 'service']);
    }
    if (identity.kind === 'user') await this.versions.assertCurrent(identity);
    verified.set(carrier(context), identity);
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const cls = context.getClass();
    let ofClass = this.publicHandlers.get(cls);
    if (!ofClass) this.publicHandlers.set(cls, (ofClass = new WeakMap()));
    let isPublic = ofClass.get(handler);
    if (isPublic === undefined) {
      isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC, [handler, cls]) === true;
      ofClass.set(handler, isPublic);
    }
    return isPublic;
  }
}

/** The identity IdentityGuard verified for this request or message. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Identity => {
  const identity = verified.get(carrier(context));
  if (!identity) throw unauthenticated();
  return identity;
});
