import type { INestApplication } from '@nestjs/common';
import { type Server, ServerTCP } from '@nestjs/microservices';
import { ModuleNatsServer } from '../../src/common/messaging/nats.server.js';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { freePort } from '../support/free-port.js';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { readTokenSettings } from '../../src/common/identity/token.settings.js';
import { createJwtService } from '../../src/common/identity/token.verifier.js';
import { MODULE_DEFINITIONS } from '../../src/app.modules.js';
import { environment, useEnvironment } from '../../src/common/config/settings.source.js';
import { readTopology, type ModuleDescriptor, type Topology } from '../../src/common/config/topology.js';
import { forgetUndeclaredErrors, undeclaredErrors } from '../../src/common/contracts/undeclared-errors.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import type { BusChannel } from '../../src/common/messaging/bus-channel.js';
import { ChannelRegistry } from '../../src/common/messaging/channel.registry.js';
import { connectTransports } from '../../src/bootstrap.js';
import { AuthClient } from '../../src/modules/auth/index.js';
import { OrdersClient } from '../../src/modules/orders/index.js';
import { UsersClient } from '../../src/modules/users/index.js';
import { ParityModule } from './parity.handlers.js';

export type TransportUnderTest = 'local' | 'tcp' | 'nats';

/** Short enough for the slow-handler case to be quick, long enough for a loaded CI machine. */
export const PARITY_DEADLINE_MS = 1500;

/** Whoever registers this address becomes an admin (ADMIN_EMAIL). */
export const PARITY_ADMIN_EMAIL = 'admin@parity.example.com';

/** The parity handlers are a module of their own in the topology, reached over the transport under test. */
const PARITY_DESCRIPTOR: ModuleDescriptor = { name: 'parity', defaultTcpPort: 4099, calls: [], subscribes: [] };

/** The modules whose outboxes the harness watches; the parity handlers have none. */
const EVENT_MODULES = ['users', 'orders', 'auth'];

/** A message as it reached a server: which server, which pattern, which correlation id. */
export interface Arrival {
  server: string;
  pattern: string;
  correlationId?: string;
}

export interface ParityApp {
  topology: Topology;
  users: UsersClient;
  orders: OrdersClient;
  auth: AuthClient;
  parity: BusChannel;
  /** The channel to any module, for patterns without a typed client (`<m>.events.*`). */
  channel(module: string): BusChannel;
  /** `Bearer <token>` for a service token naming `module`, signed as a module signs one for its own calls. */
  serviceAuthorization(module?: string): string;
  /**
   * `Bearer <token>` for an access token signed as the auth core signs one, for an account the other
   * cores may not have heard of (as when its registration event has not been applied yet).
   */
  accessAuthorization(userId: string): string;
  /**
   * Resolves once every hosted module's outbox has nothing left to deliver (every consumer acknowledged),
   * with the time it took; fails after `withinMs`, or at once if an event was parked.
   */
  eventsDelivered(withinMs?: number): Promise<number>;
  arrivals: Arrival[];
  close(): Promise<void>;
}

type StartHook = (transportId: unknown, context: unknown, done: () => Promise<unknown>) => unknown;
type RpcContextLike = { getPattern(): string; getMetadata?(): Record<string, string> | undefined };

/** Logs every message a server starts handling, then hands over to the hook already installed. */
function recordArrivals(server: Server, name: (pattern: string) => string, arrivals: Arrival[]): void {
  const inner = (server as unknown as { onProcessingStartHook: StartHook }).onProcessingStartHook;
  server.setOnProcessingStartHook((transportId, context, done) => {
    const ctx = context as RpcContextLike;
    arrivals.push({ server: name(ctx.getPattern()), pattern: ctx.getPattern(), correlationId: ctx.getMetadata?.()?.['correlation-id'] });
    return inner.call(server, transportId, context, done);
  });
}

/** `in-process`, or `<transport>:<module>` for the module's own listener (NATS: one connection serves every module's queue group). */
function serverName(server: Server, topology: Topology): (pattern: string) => string {
  if (server instanceof ModuleNatsServer) return (pattern) => `nats:${pattern.split('.')[0]}`;
  if (!(server instanceof ServerTCP)) return () => 'in-process';
  const port = (server as unknown as { port: number }).port;
  const owner = Object.values(topology.modules).find((m) => m.transport === 'tcp' && m.tcp.port === port);
  return () => `tcp:${owner?.name}`;
}

/**
 * Boots the users, orders and auth cores (no HTTP API) with the given transport for each of them and
 * for the parity handlers, on the in-memory embedded database, and empties their tables. Every core is
 * hosted, so each producer's relay pushes its events to its consumers over the transport under test.
 */
export async function bootParityApp(transport: TransportUnderTest): Promise<ParityApp> {
  const env: Record<string, string> = {
    MODULES: 'users,orders,auth,parity',
    API: 'false',
    DATA_DIR: ':memory:',
    BUS_DEADLINE_MS: String(PARITY_DEADLINE_MS),
    // Breaker behaviour has its own unit spec; here it must never turn a slow call into a fast failure.
    BUS_BREAKER_MIN_REQUESTS: '10000',
    USERS_TRANSPORT: transport,
    ORDERS_TRANSPORT: transport,
    AUTH_TRANSPORT: transport,
    PARITY_TRANSPORT: transport,
    // One secret for the run, so tokens the auth core signs verify in the users and orders cores.
    JWT_SECRET: randomBytes(48).toString('base64url'),
    JWT_ISSUER: 'mm-parity',
    JWT_AUDIENCE: 'mm-parity-api',
    ADMIN_EMAIL: PARITY_ADMIN_EMAIL,
    // Reuse of a spent refresh token is part of the contract checked here; the grace window has its e2e spec.
    REFRESH_REUSE_GRACE_SECONDS: '0',
  };
  if (transport === 'tcp') {
    env.USERS_TCP_PORT = String(await freePort());
    env.ORDERS_TCP_PORT = String(await freePort());
    env.AUTH_TCP_PORT = String(await freePort());
    env.PARITY_TCP_PORT = String(await freePort());
  }
  if (transport === 'nats') {
    env.NATS_URL = process.env.TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222';
    // A namespace of its own: no other run on the same NATS server hears this one.
    env.BUS_NAMESPACE = `parity-${randomBytes(4).toString('hex')}`;
  }
  // The application reads its settings from the environment the harness hands it, in this process.
  const previous = environment();
  useEnvironment({ ...previous, ...env });
  const restoreEnv = () => useEnvironment(previous);

  let app: INestApplication | undefined;
  forgetUndeclaredErrors();
  try {
    const topology = readTopology(environment(), [...MODULE_DEFINITIONS, PARITY_DESCRIPTOR]);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(topology), ParityModule] }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    const arrivals: Arrival[] = [];
    connectTransports(app, topology, (server) => recordArrivals(server, serverName(server, topology), arrivals));
    await app.startAllMicroservices();
    await app.init();
    const tables = [
      'users.users',
      'orders.orders',
      'orders.idempotency_keys',
      'auth.refresh_tokens',
      'auth.credentials',
      ...EVENT_MODULES.flatMap((m) => [`${m}.outbox`, `${m}.inbox`]),
      'users.credential_versions',
      'orders.credential_versions',
    ];
    for (const table of tables) {
      const [schema, name] = table.split('.');
      await app.get<DataSource>(getDataSourceToken(schema)).query(`TRUNCATE "${schema}"."${name}" RESTART IDENTITY CASCADE`);
    }
    const registry = app.get(ChannelRegistry);
    const jwt = createJwtService(readTokenSettings(env));
    const started = app;
    const outboxes = EVENT_MODULES.map((m) => ({ module: m, ds: started.get<DataSource>(getDataSourceToken(m)) }));
    return {
      topology,
      users: new UsersClient(registry.channel('users')),
      orders: new OrdersClient(registry.channel('orders')),
      auth: new AuthClient(registry.channel('auth')),
      parity: registry.channel('parity'),
      channel: (module) => registry.channel(module),
      serviceAuthorization: (module = 'auth') => `Bearer ${jwt.sign({ token_use: 'service' }, { subject: module, expiresIn: 60 })}`,
      accessAuthorization: (userId) =>
        `Bearer ${jwt.sign({ token_use: 'access', role: 'user', ver: 1 }, { subject: userId, expiresIn: 60 })}`,
      eventsDelivered: (withinMs = 5000) => eventsDelivered(outboxes, withinMs),
      arrivals,
      close: async () => {
        await started.close();
        restoreEnv();
        // Every error of the contract run must be one its operation declares (see @Handles).
        const undeclared = undeclaredErrors();
        forgetUndeclaredErrors();
        if (undeclared.length) throw new Error(`handlers answered errors their operations do not declare: ${JSON.stringify(undeclared)}`);
      },
    };
  } catch (err) {
    await app?.close();
    restoreEnv();
    throw err;
  }
}

async function eventsDelivered(outboxes: Array<{ module: string; ds: DataSource }>, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    let pending = 0;
    for (const { module, ds } of outboxes) {
      const [row]: Array<{ pending: string | number; parked: string | number }> = await ds.query(
        `SELECT count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS pending,
                count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked FROM "${module}"."outbox"`,
      );
      // In the parity run every consumer is up and correct: a parked event is a failure, not a wait.
      if (Number(row.parked)) throw new Error(`${row.parked} event(s) of ${module} were parked`);
      pending += Number(row.pending);
    }
    const elapsed = Date.now() - started;
    if (!pending) return elapsed;
    if (elapsed > withinMs) throw new Error(`${pending} event(s) still undelivered after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type Outcome = { ok: unknown } | { error: { code: string; status: number; message: string; details?: unknown } };

/** What a call produced, as data: the reply, or the error's body. Anything but a DomainError is a test failure. */
export async function outcome(call: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await call };
  } catch (err) {
    if (err instanceof DomainError) return { error: err.toBody() };
    throw err;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const GENERATED_TIMES = new Set(['createdAt', 'updatedAt']);
const JWT = /^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** A signed token becomes <jwt:use>: its signature, times and ids differ between runs, its use must not. */
function normaliseToken(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { token_use?: string };
  return `<jwt:${claims.token_use}>`;
}

/**
 * Replaces what differs between two runs by design: ids become <id:N> in order of first appearance,
 * the server's timestamps become <time> (after checking they are ISO text), and tokens <jwt:use>.
 */
export function normalise(value: unknown, ids = new Map<string, string>()): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, ids));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (GENERATED_TIMES.has(k) && typeof v === 'string' && ISO.test(v)) return [k, '<time>'];
        return [k, normalise(v, ids)];
      }),
    );
  }
  if (typeof value === 'string' && JWT.test(value)) return normaliseToken(value);
  if (typeof value === 'string' && UUID.test(value)) {
    if (!ids.has(value)) ids.set(value, `<id:${ids.size + 1}>`);
    return ids.get(value);
  }
  return value;
}
