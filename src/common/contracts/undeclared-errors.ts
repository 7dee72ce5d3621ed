import { Logger } from '@nestjs/common';
import { Counter } from 'prom-client';

/** An error code a handler answered with that its operation does not declare. */
export interface UndeclaredError {
  pattern: string;
  code: string;
}

const undeclaredErrorsAnswered = new Counter({
  name: 'bus_undeclared_errors_total',
  help: 'Errors answered by a message handler with a code its operation does not declare (a contract bug), by pattern and code',
  labelNames: ['pattern', 'code'] as const,
});

const logger = new Logger('Contracts');
const seen: UndeclaredError[] = [];

/**
 * Records an undeclared answer. The answer itself leaves unchanged (the caller gets what the handler
 * threw): the contract is what is wrong, and it shows in the log, in the metric and in the tests that
 * read `undeclaredErrors()` (the unit specs, the transport-parity run).
 */
export function recordUndeclaredError(error: UndeclaredError): void {
  seen.push(error);
  undeclaredErrorsAnswered.inc(error);
  logger.error(error, `${error.pattern} answered ${error.code}, which its declaration does not list`);
}

/** The undeclared answers this process has seen since it started (or since the last `forget`). */
export function undeclaredErrors(): readonly UndeclaredError[] {
  return [...seen];
}

export function forgetUndeclaredErrors(): void {
  seen.length = 0;
}
