import { ClientProxy, ClientProxyFactory, CustomTransportStrategy, Server, Transport } from '@nestjs/microservices';
import type { TcpListenerSettings } from '../config/settings.js';
import type { ModuleEndpoint, Topology } from '../config/topology.js';
import { InProcessClient } from './in-process.client.js';
import { ModuleRedisServer, ModuleTcpServer } from './module-listeners.js';
import { RedisRequestClient } from './redis.client.js';
import { InProcessServer } from './in-process.server.js';
import { drainOnClose } from '../lifecycle/draining.server.js';
import { processShutdown } from '../lifecycle/shutdown.state.js';

/** The name of the single in-process server every process has for the modules it hosts locally. */
export const LOCAL_SERVER = 'local';

/** ioredis options from a redis:// or rediss:// URL (user, password, db, TLS). */
export function redisOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(u.pathname.length > 1 && { db: Number(u.pathname.slice(1)) }),
    ...(u.protocol === 'rediss:' && { tls: {} }),
  };
}

/** Reconnect forever: the stock default of 0 attempts would leave a caller dead after one Redis restart. */
const REDIS_RECONNECT = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 500 };

export function createClientProxy(endpoint: ModuleEndpoint): ClientProxy {
  switch (endpoint.transport) {
    case 'local':
      return new InProcessClient(LOCAL_SERVER);
    case 'tcp':
      return ClientProxyFactory.create({ transport: Transport.TCP, options: endpoint.tcp });
    case 'redis':
      return new RedisRequestClient({ ...redisOptions(endpoint.redisUrl), ...REDIS_RECONNECT }) as unknown as ClientProxy;
  }
}

// Every listener finishes what it accepted before it closes. The remote ones refuse new messages once
// shutdown begins; the in-process one keeps serving the HTTP requests this process is still finishing.
const LOCAL = { refuseWhenShuttingDown: false };
const REMOTE = { refuseWhenShuttingDown: true };

/**
 * The servers this process listens on: one in-process server for its local modules, one TCP server
 * per TCP-hosted module, one Redis server per Redis URL in use. Each TCP and Redis listener serves
 * only the patterns of the modules it was made for.
 */
export function createServers(topology: Topology, limits: TcpListenerSettings): Array<Server & CustomTransportStrategy> {
  const servers: Array<Server & CustomTransportStrategy> = [drainOnClose(new InProcessServer(LOCAL_SERVER), processShutdown, LOCAL)];
  const redisModules = new Map<string, string[]>();
  for (const name of topology.hosted) {
    const m = topology.modules[name];
    if (m.transport === 'tcp') servers.push(drainOnClose(new ModuleTcpServer([name], m.tcp, limits) as Server & CustomTransportStrategy, processShutdown, REMOTE));
    if (m.transport === 'redis') redisModules.set(m.redisUrl, [...(redisModules.get(m.redisUrl) ?? []), name]);
  }
  for (const [url, modules] of redisModules) {
    servers.push(drainOnClose(new ModuleRedisServer(modules, { ...redisOptions(url), ...REDIS_RECONNECT }) as Server & CustomTransportStrategy, processShutdown, REMOTE));
  }
  return servers;
}
