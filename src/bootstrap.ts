import { INestApplication, VersioningType } from '@nestjs/common';
import type { Server } from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { MODULE_DEFINITIONS } from './app.modules.js';
import type { Settings } from './app.settings.js';
import { httpConfig, tcpListenerConfig, type HttpSettings, type TcpListenerSettings } from './common/config/settings.js';
import type { Topology } from './common/config/topology.js';
import { RequestContextInterceptor } from './common/context/request-context.interceptor.js';
import { createProcessLogger } from './common/observability/logger.params.js';
import { genCorrelationId, observeHttp, observeServer } from './common/observability/observe.hooks.js';
import { answerConnect, answerRouterRefusal, clientErrorAnswerer, refuseDotSegments } from './common/http/http-refusals.js';
import { registerJsonBodyParser } from './common/http/json-body.parser.js';
import { ProblemFilter } from './common/http/problem.filter.js';
import { RouteMethods } from './common/http/route-methods.js';
import { applySecurity } from './common/http/security.setup.js';
import { setupModuleMap } from './common/contracts/module-map.route.js';
import { buildOpenApiDocument, setupSwagger } from './common/http/swagger.setup.js';
import { closeConnectionsWhenLeaving } from './common/lifecycle/connection-close.hook.js';
import { processShutdown } from './common/lifecycle/shutdown.state.js';
import { InProcessServer } from './common/messaging/in-process.server.js';
import { createServers } from './common/messaging/transports.factory.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';

/** What the application needs before Nest can inject anything. */
export type BootSettings = Pick<Settings, 'topology' | 'http' | 'log' | 'security' | 'metrics'>;

/**
 * Builds (but does not start) the application for a topology: the HTTP side and one listener per
 * transport this process serves, with the same pipes and error mapping on both.
 */
export async function createApp({ topology, http, log, security, metrics }: BootSettings): Promise<NestFastifyApplication> {
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
  const root = AppModule.forRoot(topology, { rateLimit: security.rateLimitEnabled });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bodyParser: false,
    // Nest's own lines go through the same pino logger as the rest, so the log is JSON from its first line.
    logger: createProcessLogger(log),
  });
  app.useLogger(app.get(Logger));
  app.getHttpServer().on('connect', answerConnect(routes));
  if (topology.api) await applySecurity(app, security);
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(routes));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  if (topology.api) {
    setupSwagger(app, () => buildOpenApiDocument(app));
    setupModuleMap(app, MODULE_DEFINITIONS);
  }

  // Signals are handled by main (exitGracefullyOnSignals), which drains before Nest closes anything.
  connectTransports(app, topology);
  return app;
}

/**
 * Connects one listener per transport this process serves, each running its handlers inside the
 * request context its packets carry. `prepare` sees every server before it is connected.
 */
export function connectTransports(app: INestApplication, topology: Topology, prepare?: (server: Server) => void): void {
  for (const server of createServers(topology, app.get<TcpListenerSettings>(tcpListenerConfig.KEY))) {
    observeServer(server, server instanceof InProcessServer ? 'debug' : 'log');
    prepare?.(server);
    app.connectMicroservice({ strategy: server });
  }
}

/** Starts the listeners, then the HTTP server. */
export async function startApp(app: NestFastifyApplication): Promise<void> {
  const http = app.get<HttpSettings>(httpConfig.KEY);
  await app.startAllMicroservices();
  await app.listen(http.port, http.host);
}
