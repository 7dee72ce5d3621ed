import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { RequestContextStore } from '../context/request-context.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Structured JSON logs, where every line written while handling a request carries its correlation id,
 * and Prometheus metrics at GET /metrics.
 */
@Module({
  imports: [
    LoggerModule.forRoot({
      pinoHttp: {
        level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
        // Request lines are written by observeHttp, which sees Fastify's request id.
        autoLogging: false,
        mixin: () => {
          const ctx = RequestContextStore.current();
          return ctx ? { correlationId: ctx.correlationId } : {};
        },
        redact: {
          // `err.parameters`: a failed SQL statement carries its bound values, which may include a password hash.
          paths: [
            'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.refreshToken',
            '*.currentPassword', '*.newPassword', '*.passwordHash', 'err.parameters', '*.err.parameters',
          ],
          censor: '[redacted]',
        },
      },
    }),
  ],
  controllers: [MetricsController],
})
export class ObservabilityModule {}
