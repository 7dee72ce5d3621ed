import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/** One check of a health report, as terminus writes it. */
export class HealthCheckResult {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiPropertyOptional({ enum: ['local', 'tcp', 'redis'], description: 'For `<module>-bus` checks: how the module is reached.' })
  transport?: string;

  @ApiPropertyOptional({ example: 'no answer within 2000 ms', description: 'Why a check is down.' })
  message?: string;
}

const CHECKS = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(HealthCheckResult) },
  description: 'Keyed by check: `<module>-database` for each hosted module, `<module>-bus` for each module this process calls.',
} as const;

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
}

export const READY_EXAMPLE = {
  status: 'ok',
  info: { 'users-database': { status: 'up' }, 'users-bus': { status: 'up', transport: 'local' } },
  error: {},
  details: { 'users-database': { status: 'up' }, 'users-bus': { status: 'up', transport: 'local' } },
};

export const NOT_READY_EXAMPLE = {
  status: 'error',
  info: { 'orders-bus': { status: 'up', transport: 'local' } },
  error: { 'users-bus': { status: 'down', transport: 'tcp', message: 'no answer within 2000 ms' } },
  details: {
    'orders-bus': { status: 'up', transport: 'local' },
    'users-bus': { status: 'down', transport: 'tcp', message: 'no answer within 2000 ms' },
  },
};
