import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import { inputProblemError, inspectInput } from './input.limits.js';

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
 * Checks the shape and text of every body, query, path parameter and payload (INPUT_LIMITS) before
 * the class-transformer and class-validator pass, which recurse and may throw on malformed text.
 */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problem = inspectInput(value);
      if (problem) throw inputProblemError(problem);
    }
    return super.transform(value, metadata);
  }
}

/**
 * One validation policy for HTTP bodies and message payloads alike: unknown fields are refused,
 * values are converted to the declared types, and a failure is a VALIDATION_FAILED domain error.
 */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new DomainError(CommonErrors.VALIDATION_FAILED, 'The request is not valid', flattenViolations(errors)),
  });
}
