import { Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { throwError } from 'rxjs';
import { inputProblemError, inspectInput } from '../validation/input.limits.js';

const logger = new Logger('Bus');

/** A pattern belongs to the module named before its first dot: `users.get` is the users module's. */
export function patternModule(pattern: string): string {
  return pattern.split('.')[0];
}

/**
 * Wraps a message handler so its payload is checked against INPUT_LIMITS before guards, pipes or the
 * handler see it: whatever a peer sends, the answer is a COMMON.MALFORMED_REQUEST or
 * COMMON.VALIDATION_FAILED error, never a stack overflow. An event with such a payload is dropped.
 */
export function guardPayload(handler: MessageHandler, isEventHandler: boolean): MessageHandler {
  return (async (data: unknown, context: unknown) => {
    const problem = inspectInput(data);
    if (!problem) return handler(data, context);
    const error = inputProblemError(problem);
    if (isEventHandler) {
      logger.warn({ code: error.code, message: error.message }, 'An event payload was refused');
      return undefined;
    }
    return throwError(() => error.toBody());
  }) as MessageHandler;
}
