import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldViolationDoc {
  @ApiProperty({ example: 'email', maxLength: 256 })
  field: string;

  @ApiProperty({ type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 10, example: ['email must be an email'] })
  messages: string[];
}

/** RFC 9457 problem details, with the project's stable `code`. */
export class ProblemDetails {
  @ApiProperty({
    example: 'urn:problem:USERS.NOT_FOUND',
    maxLength: 76,
    description: 'A URI naming the problem type; derived from `code`.',
  })
  type: string;

  @ApiProperty({ example: 'Not Found', maxLength: 40 })
  title: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 404 })
  status: number;

  @ApiProperty({ example: 'No user has this id', maxLength: 500 })
  detail: string;

  @ApiProperty({ example: 'USERS.NOT_FOUND', maxLength: 64, description: 'Stable machine-readable code; branch on this.' })
  code: string;

  @ApiProperty({ example: '/v1/users/0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b', maxLength: 256 })
  instance: string;

  @ApiProperty({ example: '5c0e9e0e-3f7e-4c1e-9a35-3c1f1e7f8a10', maxLength: 128, description: 'Quote this when reporting a problem.' })
  correlationId: string;

  @ApiPropertyOptional({ type: [FieldViolationDoc], maxItems: 100, description: 'Present for COMMON.VALIDATION_FAILED.' })
  errors?: FieldViolationDoc[];
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

const EXAMPLE_CORRELATION_ID = '5c0e9e0e-3f7e-4c1e-9a35-3c1f1e7f8a10';

/** One example body per code, so a client sees every code a status can carry. */
function problemExamples(status: number, codes: readonly string[]) {
  return Object.fromEntries(
    codes.map((code) => {
      const value: Record<string, unknown> = {
        type: `urn:problem:${code}`,
        title: statusText(status),
        status,
        detail: 'A human-readable explanation',
        code,
        instance: '/v1/users',
        correlationId: EXAMPLE_CORRELATION_ID,
      };
      if (code === 'COMMON.VALIDATION_FAILED') {
        value.detail = 'The request is not valid';
        value.errors = [{ field: 'email', messages: ['email must be an email'] }];
      }
      return [code, { summary: code, value }];
    }),
  );
}

/** The OpenAPI response object of a problem+json answer with the given codes. */
export function problemResponse(status: number, codes: readonly string[]) {
  return {
    description: `${statusText(status)}: ${codes.join(', ')}`,
    ...(status === 503 || status === 429 ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
    content: {
      [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) }, examples: problemExamples(status, codes) },
    },
  };
}

/** Documents problem+json responses: `codes` maps each status to the error codes that route can answer with. */
export function ApiProblems(codes: Record<number, readonly string[]>) {
  return applyDecorators(
    ApiExtraModels(ProblemDetails),
    ...Object.entries(codes).map(([status, list]) => ApiResponse({ status: Number(status), ...problemResponse(Number(status), list) })),
  );
}

/** The failures every route that crosses the bus can answer with. */
export const BUS_PROBLEMS = { 502: ['BUS.UNKNOWN_PATTERN'], 503: ['BUS.UNAVAILABLE'], 504: ['BUS.TIMEOUT'] } as const;

/** Routes that need `Authorization: Bearer <access token>`. */
export const BEARER_PROBLEMS = { 401: ['AUTH.UNAUTHENTICATED'] } as const;

/** Every route is rate limited per client address (see the document's description for every limit). */
export const RATE_PROBLEMS = { 429: ['COMMON.TOO_MANY_REQUESTS'] } as const;
