import { applyDecorators, Controller, UseFilters, UsePipes } from '@nestjs/common';
import { createValidationPipe } from '../validation/validation.pipe.js';
import { RpcErrorFilter } from './rpc-error.filter.js';

/**
 * Marks a class of message handlers (a module's core half): payloads are validated exactly as HTTP
 * bodies are, and every failure leaves as `{ code, status, message, details? }`.
 */
export function MessageHandlers(): ClassDecorator {
  return applyDecorators(Controller(), UsePipes(createValidationPipe()), UseFilters(new RpcErrorFilter()));
}
