import { ClientProxy, ClientProxyFactory, CustomTransportStrategy, Server, Transport } from '@nestjs/microservices';
import type { TcpListenerSettings } from '../config/settings.js';
import type { ModuleEndpoint, Topology } from '../config/topology.js';
import { InProcessClient } from './in-process.client.js';
import { ModuleRedisServer, ModuleTcpServer } from './module-listeners.js';
import { NatsRequestClient } from './nats.client.js';
import { ModuleNatsServer } from './nats.server.js';
import { RedisRequestClient } from './redis.client.js';
import { InProcessServer } from './in-process.server.js';
import { MessageDrain } from '../lifecycle/message.drain.js';

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

/**
 * Connection options of a NATS URL; reconnects forever, and subscriptions come back with the connection.
 * `noAsyncTraces`: the client does not build an Error (with its stack) up front for every request in
 * case it fails; a failure still arrives as the same RequestError, TimeoutError or no-responders error,
 * created when it happens. Those eager stacks were about 4 % of a gateway's CPU under load.
 */
export function natsOptions(url: string, name: string) {
  return {
    servers: url,
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    noAsyncTraces: true,
  };
}

/** How a process reaches a module: `namespace` prefixes Redis channels and NATS subjects; `deadlineMs` bounds a NATS request. */
export function createClientProxy(endpoint: ModuleEndpoint, namespace = '', deadlineMs = 120_000): ClientProxy {
  switch (endpoint.transport) {
    case 'local':
      return new InProcessClient(LOCAL_SERVER);
    case 'tcp':
      return ClientProxyFactory.create({ transport: Transport.TCP, options: endpoint.tcp });
    case 'redis':
      return new RedisRequestClient(namespace, { ...redisOptions(endpoint.redisUrl), ...REDIS_RECONNECT }) as unknown as ClientProxy;
    case 'nats':
      return new NatsRequestClient(
        namespace,
        natsOptions(endpoint.natsUrl, `client:${endpoint.name}`),
        deadlineMs,
      ) as unknown as ClientProxy;
  }
}

// Every listener finishes what it accepted before it closes. TCP and Redis listeners refuse new messages
// once shutdown begins (their callers have nowhere else to go, and retry or answer 503). A NATS listener
// serves on until it is closed, after this process's HTTP requests have finished (one of them may need
// a module this process hosts, through another process), then leaves its queue groups, so new requests
// go to the module's other processes, and finishes what it took. The in-process one keeps serving the
// HTTP requests this process is still finishing.
const SERVE = { refuseWhenShuttingDown: false };
const REFUSE = { refuseWhenShuttingDown: true };

type Listener = Server & CustomTransportStrategy;

/**
 * The servers this process listens on: one in-process server for its local modules, one TCP server
 * per TCP-hosted module, one Redis server per Redis URL and one NATS server per NATS URL in use. Each
 * TCP, Redis and NATS listener serves only the patterns of the modules it was made for.
 */
export function createServers(topology: Topology, limits: TcpListenerSettings): Listener[] {
  const servers: Listener[] = [new InProcessServer(LOCAL_SERVER, undefined, new MessageDrain(SERVE))];
  const byUrl = { redis: new Map<string, string[]>(), nats: new Map<string, string[]>() };
  for (const name of topology.hosted) {
    const m = topology.modules[name];
    if (m.transport === 'tcp') servers.push(new ModuleTcpServer([name], m.tcp, limits, new MessageDrain(REFUSE)) as Listener);
    if (m.transport === 'redis') byUrl.redis.set(m.redisUrl, [...(byUrl.redis.get(m.redisUrl) ?? []), name]);
    if (m.transport === 'nats') byUrl.nats.set(m.natsUrl, [...(byUrl.nats.get(m.natsUrl) ?? []), name]);
  }
  for (const [url, modules] of byUrl.redis) {
    const server = new ModuleRedisServer(
      modules,
      topology.namespace,
      { ...redisOptions(url), ...REDIS_RECONNECT },
      new MessageDrain(REFUSE),
    );
    servers.push(server as unknown as Listener);
  }
  for (const [url, modules] of byUrl.nats) {
    const server = new ModuleNatsServer(
      modules,
      topology.namespace,
      natsOptions(url, `server:${modules.join(',')}`),
      new MessageDrain(SERVE),
    );
    servers.push(server as unknown as Listener);
  }
  return servers;
}
