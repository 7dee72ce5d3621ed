import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';

export interface FieldViolation {
  field: string;
  messages: string[];
}

export function flattenViolations(errors: ValidationError[], parent = ''): FieldViolation[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flattenViolations(e.children ?? [], field)];
  });
}

/**
 * One validation policy for HTTP bodies and message payloads alike: unknown fields are refused,
 * values are converted to the declared types, and a failure is a VALIDATION_FAILED domain error.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new DomainError(CommonErrors.VALIDATION_FAILED, 'The request is not valid', flattenViolations(errors)),
  });
}
