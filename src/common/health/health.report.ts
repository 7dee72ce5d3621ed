import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/** A down check's message is cut to this many characters (an error's text can be long). */
export const MAX_CHECK_MESSAGE_LENGTH = 200;

/** One check of a health report, as terminus writes it. */
export class HealthCheckResult {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiPropertyOptional({ enum: ['local', 'tcp', 'redis', 'nats'], description: 'For `<module>-bus` checks: how the module is reached.' })
  transport?: string;

  @ApiPropertyOptional({ example: 'no answer within 2000 ms', maxLength: MAX_CHECK_MESSAGE_LENGTH, description: 'Why a check is down.' })
  message?: string;
}

const CHECKS = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(HealthCheckResult) },
  description: 'Keyed by check: `<module>-database` for each hosted module, `<module>-bus` for each module this process calls.',
} as const;

/** A hosted module's outbox: events waiting for delivery, and events parked after too many failures. */
export class OutboxState {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, example: 0 })
  pending: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 2_147_483_647,
    example: 0,
    description: 'Replay with `npm run events:replay -- <module>` once the cause is fixed.',
  })
  parked: number;
}

/** The body of /health/live and /health/ready (terminus format), whether up (200) or down (503). */
export class HealthReport {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: 'ok' | 'error' | 'shutting_down';

  @ApiPropertyOptional({ ...CHECKS, description: 'Checks that are up.' })
  info?: Record<string, HealthCheckResult>;

  @ApiPropertyOptional({ ...CHECKS, description: 'Checks that are down.' })
  error?: Record<string, HealthCheckResult>;

  @ApiPropertyOptional({ ...CHECKS, description: 'Every check.' })
  details?: Record<string, HealthCheckResult>;

  @ApiPropertyOptional({
    ...CHECKS,
    description:
      '/health/ready only: `<module>-bus` for each module this process calls in another process. Reported, never failing the check.',
  })
  remote?: Record<string, HealthCheckResult>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(OutboxState) },
    description: '/health/ready only: the outbox of each module this process hosts.',
  })
  events?: Record<string, OutboxState>;
}

export const READY_EXAMPLE = {
  status: 'ok',
  info: { 'users-database': { status: 'up' }, 'users-bus': { status: 'up', transport: 'tcp' } },
  error: {},
  details: { 'users-database': { status: 'up' }, 'users-bus': { status: 'up', transport: 'tcp' } },
  remote: { 'auth-bus': { status: 'down', transport: 'tcp', message: 'The auth module is unavailable' } },
  events: { users: { pending: 0, parked: 0 } },
};

export const NOT_READY_EXAMPLE = {
  status: 'error',
  info: { 'users-bus': { status: 'up', transport: 'tcp' } },
  error: { 'users-database': { status: 'down', message: 'no answer within 2000 ms' } },
  details: {
    'users-database': { status: 'down', message: 'no answer within 2000 ms' },
    'users-bus': { status: 'up', transport: 'tcp' },
  },
  remote: {},
  events: {},
};
