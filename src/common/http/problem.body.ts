import type { DomainError } from '../errors/domain-error.js';
import { CommonErrors } from '../errors/common.errors.js';
import { statusText } from './problem.js';

/** The longest `instance` echoed back: a hostile URL is not repeated at length. */
const MAX_INSTANCE_LENGTH = 256;
/** As documented for ProblemDetails.detail. */
const MAX_DETAIL_LENGTH = 500;

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
    detail: error.message.slice(0, MAX_DETAIL_LENGTH),
    code: error.code,
    instance: problemInstance(url),
    correlationId,
  };
  if (error.code === CommonErrors.VALIDATION_FAILED.code) body.errors = boundedViolations(error.details);
  return body;
}

/** Within the bounds ProblemDetails documents: the first 100 violations, each named in 256 characters with 10 messages of 500. */
function boundedViolations(details: unknown): unknown {
  if (!Array.isArray(details)) return details;
  return details.slice(0, 100).map((v: { field?: unknown; messages?: unknown }) => ({
    field: String(v?.field ?? '').slice(0, 256),
    messages: (Array.isArray(v?.messages) ? v.messages : []).slice(0, 10).map((m) => String(m).slice(0, 500)),
  }));
}
