import { applyDecorators, CallHandler, ExecutionContext, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { catchError, Observable, throwError } from 'rxjs';
import { Public } from '../identity/identity.guard.js';
import { DomainError } from '../errors/domain-error.js';
import { answerableErrors, CORE_LEVEL_ERRORS, type Operation, type ReplyOf, type RequestOf } from './operation.js';
import { recordUndeclaredError } from './undeclared-errors.js';

/** Metadata key under which a handler method carries the operation it serves. */
export const HANDLED_OPERATION = Symbol('contracts:handled-operation');

/** Checks every error a handler answers with against its operation's declaration. */
class DeclaredErrorsInterceptor implements NestInterceptor {
  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly operation: Operation) {
    this.allowed = new Set([...answerableErrors(operation).map((e) => e.code), ...CORE_LEVEL_ERRORS]);
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (err instanceof DomainError && !this.allowed.has(err.code)) {
          recordUndeclaredError({ pattern: this.operation.pattern, code: err.code });
        }
        return throwError(() => err);
      }),
    );
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
    UseInterceptors(new DeclaredErrorsInterceptor(operation)),
  );
  return <T extends HandlerOf<O>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void => {
    decorators(target, key, descriptor);
  };
}
