/**
 * The plain NestJS reference of `npm run bench:http`: the monolith's three benchmarked routes in one
 * Nest module on the Fastify adapter, with no bus and no module boundary, but the production features
 * the monolith's HTTP side has on them, taken from src/: the adapter's options and Fastify hooks
 * (correlation id, the request log line and the duration histogram of observeHttp, security headers,
 * the JSON body parser, the refusals, the connection-close hook of a shutdown), the pino logger, the rate limits, the token check, the
 * validation pipe with the same DTOs, problem+json errors, and the same SQL. What the monolith costs
 * beyond this is its module structure: the bus, the request context, the cores' own guards and pipes.
 * The layer switches (LOG_REQUESTS, METRICS_HTTP, RATE_LIMIT_ENABLED) apply here as in the monolith.
 * Runs as its own process, started by http.bench.ts, on a database the monolith has migrated.
 */
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { readHttpSettings, readLogSettings, readMetricsSettings } from '../../../src/common/config/settings.js';
import { readSettings } from '../../../src/common/config/settings.source.js';
import { answerConnect, answerRouterRefusal, clientErrorAnswerer, refuseDotSegments } from '../../../src/common/http/http-refusals.js';
import { registerJsonBodyParser } from '../../../src/common/http/json-body.parser.js';
import { ProblemFilter } from '../../../src/common/http/problem.filter.js';
import { RouteMethods } from '../../../src/common/http/route-methods.js';
import { applySecurity } from '../../../src/common/http/security.setup.js';
import { readSecuritySettings } from '../../../src/common/http/security.settings.js';
import { closeConnectionsWhenLeaving } from '../../../src/common/lifecycle/connection-close.hook.js';
import { processShutdown } from '../../../src/common/lifecycle/shutdown.state.js';
import { createProcessLogger } from '../../../src/common/observability/logger.params.js';
import { genCorrelationId, observeHttp } from '../../../src/common/observability/observe.hooks.js';
import { createValidationPipe } from '../../../src/common/validation/validation.pipe.js';
import { PlainModule } from './plain.module.js';

const http = readSettings(readHttpSettings);
const log = readSettings(readLogSettings);
const metrics = readSettings(readMetricsSettings);
const security = readSettings(readSecuritySettings);

const routes = new RouteMethods();
const adapter = new FastifyAdapter({
  bodyLimit: http.bodyLimitBytes,
  genReqId: genCorrelationId,
  frameworkErrors: answerRouterRefusal,
  clientErrorHandler: clientErrorAnswerer(routes),
});
const fastify = adapter.getInstance();
routes.record(fastify);
registerJsonBodyParser(fastify, http.bodyLimitBytes);
observeHttp(fastify, { requestLog: log.requests, metrics: metrics.http });
closeConnectionsWhenLeaving(fastify, processShutdown);
refuseDotSegments(fastify);
const app = await NestFactory.create<NestFastifyApplication>(PlainModule.forRoot(security.rateLimitEnabled), adapter, {
  bodyParser: false,
  logger: createProcessLogger(log),
});
app.useLogger(app.get(Logger));
app.getHttpServer().on('connect', answerConnect(routes));
await applySecurity(app, security);
app.enableVersioning({ type: VersioningType.URI });
app.useGlobalPipes(createValidationPipe());
app.useGlobalFilters(new ProblemFilter(routes));
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
await app.listen(http.port, http.host);
