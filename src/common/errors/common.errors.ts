import { defineErrors } from './domain-error.js';

/** Codes that belong to no module: input shape, transport and the unexpected. */
export const CommonErrors = defineErrors({
  VALIDATION_FAILED: { code: 'COMMON.VALIDATION_FAILED', status: 400 },
  MALFORMED_REQUEST: { code: 'COMMON.MALFORMED_REQUEST', status: 400 },
  FORBIDDEN: { code: 'COMMON.FORBIDDEN', status: 403 },
  ROUTE_NOT_FOUND: { code: 'COMMON.ROUTE_NOT_FOUND', status: 404 },
  METHOD_NOT_ALLOWED: { code: 'COMMON.METHOD_NOT_ALLOWED', status: 405 },
  REQUEST_TIMEOUT: { code: 'COMMON.REQUEST_TIMEOUT', status: 408 },
  PRECONDITION_FAILED: { code: 'COMMON.PRECONDITION_FAILED', status: 412 },
  PAYLOAD_TOO_LARGE: { code: 'COMMON.PAYLOAD_TOO_LARGE', status: 413 },
  URI_TOO_LONG: { code: 'COMMON.URI_TOO_LONG', status: 414 },
  UNSUPPORTED_MEDIA_TYPE: { code: 'COMMON.UNSUPPORTED_MEDIA_TYPE', status: 415 },
  RANGE_NOT_SATISFIABLE: { code: 'COMMON.RANGE_NOT_SATISFIABLE', status: 416 },
  TOO_MANY_REQUESTS: { code: 'COMMON.TOO_MANY_REQUESTS', status: 429 },
  HEADERS_TOO_LARGE: { code: 'COMMON.HEADERS_TOO_LARGE', status: 431 },
  INTERNAL: { code: 'COMMON.INTERNAL', status: 500 },
});

export const BusErrors = defineErrors({
  /** The target module could not be reached (refused, disconnected, circuit open). */
  UNAVAILABLE: { code: 'BUS.UNAVAILABLE', status: 503 },
  /** The target module did not answer within the deadline. */
  TIMEOUT: { code: 'BUS.TIMEOUT', status: 504 },
  /** The target process has no handler for the pattern (a version skew between processes). */
  UNKNOWN_PATTERN: { code: 'BUS.UNKNOWN_PATTERN', status: 502 },
});
