import { applyDecorators, ArgumentsHost, Catch, SetMetadata, UseFilters } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { Public } from '../identity/identity.guard.js';
import { DomainError } from '../errors/domain-error.js';
import { RpcErrorFilter } from '../messaging/rpc-error.filter.js';
import { answerableErrors, CORE_LEVEL_ERRORS, type Operation, type ReplyOf, type RequestOf } from './operation.js';
import { recordUndeclaredError } from './undeclared-errors.js';

/** Metadata key under which a handler method carries the operation it serves. */
export const HANDLED_OPERATION = Symbol('contracts:handled-operation');

/**
 * The handler's own error filter (a method's filter comes before its class's): checks every error the
 * handler answers with, its guard's and its pipe's included, against its operation's declaration, then
 * answers it as every core does. A filter and not an interceptor, so a handler that succeeds returns its
 * value without being wrapped in an Observable.
 */
@Catch()
class DeclaredErrorsFilter extends RpcErrorFilter {
  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly operation: Operation) {
    super();
    this.allowed = new Set([...answerableErrors(operation).map((e) => e.code), ...CORE_LEVEL_ERRORS]);
  }

  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof DomainError && !this.allowed.has(exception.code)) {
      recordUndeclaredError({ pattern: this.operation.pattern, code: exception.code });
    }
    return super.catch(exception, host);
  }
}

type HandlerOf<O> = (request: RequestOf<O>, ...context: any[]) => ReplyOf<O> | Promise<ReplyOf<O>>;

/**
 * Registers a message handler for a declared operation, and only for one: the pattern, whether it
 * needs a credential (`access: 'anyone'` makes it public) and the errors it may answer all come from
 * the declaration, and the method must take the declared request and return the declared reply.
 * "Find references" on the declaration leads from the client method to this handler.
 */
export function Handles<O extends Operation<any, any>>(operation: O) {
  const decorators = applyDecorators(
    SetMetadata(HANDLED_OPERATION, operation),
    MessagePattern(operation.pattern),
    ...(operation.access === 'anyone' ? [Public()] : []),
    UseFilters(new DeclaredErrorsFilter(operation)),
  );
  return <T extends HandlerOf<O>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void => {
    decorators(target, key, descriptor);
  };
}
