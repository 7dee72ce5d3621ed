import type { DomainError } from '../errors/domain-error.js';
import { CommonErrors } from '../errors/common.errors.js';
import { statusText } from './problem.js';

/** The longest `instance` echoed back: a hostile URL is not repeated at length. */
const MAX_INSTANCE_LENGTH = 256;

/** The request's path as a problem's `instance`: no query, at most MAX_INSTANCE_LENGTH characters. */
export function problemInstance(url: string): string {
  const path = url.split('?')[0];
  return path.length > MAX_INSTANCE_LENGTH ? path.slice(0, MAX_INSTANCE_LENGTH) : path;
}

/** An RFC 9457 body with the project's `code` and the correlation id. */
export function problemBody(error: DomainError, url: string, correlationId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `urn:problem:${error.code}`,
    title: statusText(error.status),
    status: error.status,
    detail: error.message,
    code: error.code,
    instance: problemInstance(url),
    correlationId,
  };
  if (error.code === CommonErrors.VALIDATION_FAILED.code) body.errors = error.details;
  return body;
}
