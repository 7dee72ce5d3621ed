import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { RequestContextStore } from '../context/request-context.js';

/** Structured JSON logs; every line written while handling a request carries its correlation id. */
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
})
export class ObservabilityModule {}
