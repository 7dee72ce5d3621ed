import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AppProcess, baseEnv, PROJECT_ROOT } from './app-process.js';
import { authTestEnv, bearer, register, type Session } from './auth-fixtures.js';
import { type Balancer, startBalancer } from './balancer.js';
import { freePorts } from './free-port.js';
import { KeepAliveClient } from './paced-load.js';
import { ensureTestDatabase, resetTestDatabase, testDatabaseUrl } from './test-database.js';

export interface PlacedOrder {
  id: string;
  owner: Session;
  body: unknown;
}

export interface BalancedMonoliths {
  /** The environment every process of the deployment shares (a process adds its shape and PORT). */
  shared: Record<string, string>;
  monoliths: AppProcess[];
  balancer: Balancer;
  /** Kept-alive connections to the balancer, as clients of a deployment have. */
  client: KeepAliveClient;
  /** Accounts the load acts as, each with one order placed through the balancer. */
  sessions: Session[];
  seedOrders: PlacedOrder[];
  logDir: string;
  stop(): Promise<void>;
}

/**
 * Two monoliths on a freshly emptied PostgreSQL test database behind HAProxy (health checks on
 * /health/ready every `checkIntervalMs`, out after 2 failures, back after 2 passes), with `sessions`
 * accounts registered through it, each with an order placed with an Idempotency-Key.
 */
export async function startBalancedMonoliths(options: {
  label: string;
  env: Record<string, string>;
  sessions: number;
  checkIntervalMs: number;
}): Promise<BalancedMonoliths> {
  const databaseUrl = testDatabaseUrl();
  await ensureTestDatabase(databaseUrl);
  await resetTestDatabase(databaseUrl);
  const shared = { ...baseEnv(), ...authTestEnv(), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...options.env };
  const logDir = join(PROJECT_ROOT, '.tmp', 'e2e', options.label);
  const ports = await freePorts(2);
  const monoliths = ['mono-a', 'mono-b'].map(
    (name, i) =>
      new AppProcess({
        name,
        port: ports[i],
        env: { ...shared, PORT: String(ports[i]) },
        logFile: join(logDir, `${name}.log`),
      }),
  );
  await Promise.all(monoliths.map((m) => m.start()));
  const balancer = await startBalancer({
    backends: monoliths.map((m) => ({ name: m.name, port: m.port })),
    logFile: join(logDir, 'haproxy.log'),
    checkIntervalMs: options.checkIntervalMs,
    fall: 2,
    rise: 2,
  });
  await Promise.all(monoliths.map((m) => balancer.waitStatus(m.name, 'UP')));
  const client = new KeepAliveClient(balancer.url);
  const sessions: Session[] = [];
  const seedOrders: PlacedOrder[] = [];
  for (let i = 0; i < options.sessions; i++) sessions.push(await register(balancer.url, { name: `Steady Customer ${i}` }));
  for (const owner of sessions) {
    const placed = await client.call(
      'POST',
      '/v1/orders',
      { items: [{ sku: 'SEED-1', quantity: 1, unitPriceCents: 100 }] },
      { authorization: bearer(owner.accessToken), 'idempotency-key': randomUUID() },
    );
    if (placed.status !== 201) throw new Error(`Seeding an order answered ${placed.status}: ${JSON.stringify(placed.body)}`);
    seedOrders.push({ id: placed.body.id, owner, body: placed.body });
  }
  const deployment: BalancedMonoliths = {
    shared,
    monoliths,
    balancer,
    client,
    sessions,
    seedOrders,
    logDir,
    async stop() {
      client.close();
      await balancer.stop();
      await Promise.all(deployment.monoliths.map((m) => m.kill('SIGKILL')));
    },
  };
  return deployment;
}
