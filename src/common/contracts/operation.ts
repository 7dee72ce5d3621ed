import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IdentityErrors } from '../identity/identity.errors.js';
import { CommonErrors } from '../errors/common.errors.js';
import type { ErrorDefinition } from '../errors/domain-error.js';
import { patternModule } from '../messaging/payload.guard.js';

/**
 * Who may call an operation, checked by the core that serves it:
 * - `anyone`: no credential needed;
 * - `caller`: any verified caller (a user's access token or a module's service token); a user reaches
 *   only their own data, an admin everyone's;
 * - `user`: a signed-in person (a module's service token is refused with AUTH.FORBIDDEN);
 * - `admin`: an administrator only (AUTH.FORBIDDEN otherwise).
 */
export type Access = 'anyone' | 'caller' | 'user' | 'admin';

/**
 * Whether a caller may send the same request again after a failure without changing the outcome:
 * always (`true`), never (`false`), or only when the request carries the named key field.
 */
export type Idempotence = boolean | { readonly key: string };

/** What a module declares about one request/reply message pattern; everything else is derived from it. */
export interface OperationDeclaration<Req extends object, Rep> {
  /** `<module>.<verb>`: the message pattern on every transport. */
  readonly pattern: string;
  /** One sentence for the docs tables and the module map. */
  readonly summary: string;
  /** The payload class: validated (class-validator) by the core, documented (swagger) for the contracts. */
  readonly request: Type<Req>;
  /** The reply class. */
  readonly reply: Type<Rep>;
  /**
   * The error codes the operation answers with besides the conventional ones (see `conventionalErrors`),
   * including those of the operations it calls that it passes on.
   */
  readonly errors: readonly ErrorDefinition[];
  readonly idempotent: Idempotence;
  readonly access: Access;
  /** Events published with the change the operation makes (`<module>.<event>`). */
  readonly publishes?: readonly string[];
}

/** A declared operation: its declaration and the module that serves it. */
export interface Operation<Req extends object = object, Rep = unknown> extends OperationDeclaration<Req, Rep> {
  readonly module: string;
}

export type RequestOf<O> = O extends { request: Type<infer Req> } ? Req : never;
export type ReplyOf<O> = O extends { reply: Type<infer Rep> } ? Rep : never;

/** The module that serves a pattern or publishes an event: the part of its name before the first dot. */
export const moduleOf = patternModule;

export function defineOperation<Req extends object, Rep>(declaration: OperationDeclaration<Req, Rep>): Operation<Req, Rep> {
  if (!/^[a-z][a-z-]*\.[a-z][a-z-]*$/.test(declaration.pattern)) {
    throw new Error(`Operation pattern "${declaration.pattern}" is not <module>.<verb> in lower case`);
  }
  return Object.freeze({ ...declaration, module: moduleOf(declaration.pattern), errors: Object.freeze([...declaration.errors]) });
}

/** Errors every operation may answer without declaring them: a payload that fails validation, and a missing or bad credential. */
export function conventionalErrors(operation: Pick<Operation, 'access'>): ErrorDefinition[] {
  return [CommonErrors.VALIDATION_FAILED, ...(operation.access === 'anyone' ? [] : [IdentityErrors.UNAUTHENTICATED])];
}

/** Every code the operation may answer with, conventional ones first, each once. */
export function answerableErrors(operation: Pick<Operation, 'access' | 'errors'>): ErrorDefinition[] {
  const all = new Map<string, ErrorDefinition>();
  for (const error of [...conventionalErrors(operation), ...operation.errors]) all.set(error.code, error);
  return [...all.values()];
}

/**
 * Codes a core answers with before or outside any handler (input limits, the unexpected): allowed for
 * every operation and documented once, in the conventions, not per operation.
 */
export const CORE_LEVEL_ERRORS: readonly string[] = [CommonErrors.MALFORMED_REQUEST.code, CommonErrors.INTERNAL.code];

/** Whether retrying `request` after a transport failure is safe, by the operation's declaration. */
export function mayRetry(operation: Pick<Operation, 'idempotent'>, request: object): boolean {
  const { idempotent } = operation;
  if (typeof idempotent === 'boolean') return idempotent;
  return (request as Record<string, unknown>)[idempotent.key] !== undefined;
}

/** The empty payload of a ping. */
export class PingRequest {}

export class PingReply {
  @ApiProperty({ maxLength: 64, description: 'The module that answered.' })
  module: string;
}

/** `<module>.ping`: answers as soon as the module's core is listening; used by readiness checks. */
export function pingOperation(module: string): Operation<PingRequest, PingReply> {
  return defineOperation({
    pattern: `${module}.ping`,
    summary: 'Answers as soon as the core is listening; used by readiness checks.',
    request: PingRequest,
    reply: PingReply,
    errors: [],
    idempotent: true,
    access: 'anyone',
  });
}

/** What a module declares about an event it publishes. */
export interface EventDeclaration<P extends object> {
  /** `<producer>.<event>`. */
  readonly name: string;
  readonly summary: string;
  /** The payload class (swagger-decorated, for the contracts). */
  readonly payload: Type<P>;
  /** The payload field whose value orders the events: one key's events are applied in order. */
  readonly orderingKey: keyof P & string;
}

export interface EventContract<P extends object = object> extends EventDeclaration<P> {
  readonly producer: string;
}

export function defineEvent<P extends object>(declaration: EventDeclaration<P>): EventContract<P> {
  return Object.freeze({ ...declaration, producer: moduleOf(declaration.name) });
}

/** A module's public surface as data: the operations it serves and the events it publishes. */
export interface ModuleContract {
  readonly name: string;
  readonly operations: Readonly<Record<string, Operation<any, any>>>;
  readonly events: Readonly<Record<string, EventContract<any>>>;
}

export function defineModuleContract(contract: ModuleContract): ModuleContract {
  for (const item of [...Object.values(contract.operations).map((o) => o.pattern), ...Object.values(contract.events).map((e) => e.name)]) {
    if (moduleOf(item) !== contract.name) throw new Error(`${item} is declared by the ${contract.name} module but names another`);
  }
  return Object.freeze(contract);
}
