import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SECURITY_HEADERS } from './security.headers.js';
import type { SecuritySettings } from './security.settings.js';

/**
 * Security headers, the CORS allowlist, and `Cache-Control: no-store` on every answer to a request that
 * carries a credential or obtains one, so no shared cache keeps a user's data or tokens.
 *
 * The headers are helmet's for HELMET_OPTIONS, computed once (SECURITY_HEADERS): the Fastify plugin
 * builds helmet's middleware again for every request, and the headers never change.
 */
export async function applySecurity(app: NestFastifyApplication, settings: SecuritySettings): Promise<void> {
  app.enableCors({
    origin: settings.corsOrigins.length ? settings.corsOrigins : false,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-correlation-id'],
    exposedHeaders: ['x-correlation-id', 'retry-after'],
    maxAge: 600,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      if (request.headers.authorization !== undefined || request.url.startsWith('/v1/auth/')) {
        reply.header('cache-control', 'no-store');
      }
      done();
    });
}
