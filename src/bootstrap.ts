import type { INestApplication } from '@nestjs/common';
import type { Server } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { MODULE_DEFINITIONS } from './app.modules.js';
import type { Settings } from './app.settings.js';
import {
  httpConfig,
  logConfig,
  logsAt,
  tcpListenerConfig,
  type HttpSettings,
  type LogSettings,
  type TcpListenerSettings,
} from './common/config/settings.js';
import type { Topology } from './common/config/topology.js';
import { runHandlersInRequestContext } from './common/context/request-context.hook.js';
import { observeServer } from './common/observability/observe.hooks.js';
import { setupModuleMap } from './common/contracts/module-map.route.js';
import { buildOpenApiDocument, setupSwagger } from './common/http/swagger.setup.js';
import { InProcessServer } from './common/messaging/in-process.server.js';
import { createServers } from './common/messaging/transports.factory.js';
import { createHttpApp } from './http-app.js';

/** What the application needs before Nest can inject anything. */
export type BootSettings = Pick<Settings, 'topology' | 'http' | 'log' | 'security' | 'metrics'>;

/**
 * Builds (but does not start) the application for a topology: the HTTP side and one listener per
 * transport this process serves, with the same pipes and error mapping on both.
 */
export async function createApp({ topology, ...settings }: BootSettings): Promise<NestFastifyApplication> {
  const root = AppModule.forRoot(topology, { rateLimit: settings.security.rateLimitEnabled });
  const app = await createHttpApp(root, settings, { publicApi: topology.api });
  runHandlersInRequestContext(app.getHttpAdapter().getInstance());
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
  const logsDebug = logsAt(app.get<LogSettings>(logConfig.KEY), 'debug');
  for (const server of createServers(topology, app.get<TcpListenerSettings>(tcpListenerConfig.KEY))) {
    observeServer(server, server instanceof InProcessServer ? (logsDebug ? 'debug' : 'none') : 'log');
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
