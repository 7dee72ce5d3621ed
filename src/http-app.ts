import { type DynamicModule, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Settings } from './app.settings.js';
import { answerConnect, answerRouterRefusal, clientErrorAnswerer, refuseDotSegments } from './common/http/http-refusals.js';
import { registerJsonBodyParser } from './common/http/json-body.parser.js';
import { ProblemFilter } from './common/http/problem.filter.js';
import { RouteMethods } from './common/http/route-methods.js';
import { applySecurity } from './common/http/security.setup.js';
import { closeConnectionsWhenLeaving } from './common/lifecycle/connection-close.hook.js';
import { processShutdown } from './common/lifecycle/shutdown.state.js';
import { createProcessLogger } from './common/observability/logger.params.js';
import { genCorrelationId, observeHttp } from './common/observability/observe.hooks.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';

/** What the HTTP side reads before Nest can inject anything. */
export type HttpAppSettings = Pick<Settings, 'http' | 'log' | 'security' | 'metrics'>;

/**
 * A Nest application of `root` on the Fastify adapter with the HTTP side every process has: correlation
 * ids, the request log line and duration histogram, the JSON body parser, the refusals answered before
 * routing, the connection-close hook of a shutdown, the pino logger, URI versioning, the validation pipe
 * and problem+json errors; security headers when `publicApi`. The monolith builds on it (bootstrap.ts),
 * and so does the benchmark's plain NestJS reference, so both have exactly the same HTTP side.
 */
export async function createHttpApp(
  root: DynamicModule,
  { http, log, security, metrics }: HttpAppSettings,
  { publicApi }: { publicApi: boolean },
): Promise<NestFastifyApplication> {
  const routes = new RouteMethods();
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    genReqId: genCorrelationId,
    frameworkErrors: answerRouterRefusal,
    clientErrorHandler: clientErrorAnswerer(routes),
  });
  const fastify = adapter.getInstance();
  routes.record(fastify);
  // JSON only: other bodies are refused with 415 instead of reaching validation as strings.
  registerJsonBodyParser(fastify, http.bodyLimitBytes);
  observeHttp(fastify, { requestLog: log.requests, metrics: metrics.http });
  closeConnectionsWhenLeaving(fastify, processShutdown);
  refuseDotSegments(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bodyParser: false,
    // Nest's own lines go through the same pino logger as the rest, so the log is JSON from its first line.
    logger: createProcessLogger(log),
  });
  app.useLogger(app.get(Logger));
  app.getHttpServer().on('connect', answerConnect(routes));
  if (publicApi) await applySecurity(app, security);
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(routes));
  return app;
}
