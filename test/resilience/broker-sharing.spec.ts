import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AppProcess, baseEnv, PROJECT_ROOT } from '../support/app-process.js';
import { authTestEnv, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { freePorts } from '../support/free-port.js';
import { sendJson } from '../support/http-call.js';
import { handledMessages } from '../support/process-logs.js';
import { ensureTestDatabase, resetTestDatabase, testDatabaseUrl } from '../support/test-database.js';
import { testNatsUrl, testRedisUrl } from '../support/topology.js';

/**
 * What a broker shared by several deployments, or by several processes of one module, must not do:
 * - a second process serving a module on the same Redis (and namespace) refuses to start, naming NATS,
 *   because Redis pub/sub would hand it every request the first one gets;
 * - two deployments on one NATS and one Redis, each with its own BUS_NAMESPACE, never handle each
 *   other's messages.
 */
const logDir = join(PROJECT_ROOT, '.tmp', 'e2e', 'broker-sharing');

function secondDatabase(): string {
  const u = new URL(testDatabaseUrl());
  u.pathname = `${u.pathname}_other`;
  return u.toString();
}

/** A deployment: an API-only gateway and a users process reached over `transport`, with orders and auth in the gateway. */
async function deployment(name: string, transport: 'nats' | 'redis', namespace: string, databaseUrl: string) {
  const [gatewayPort, usersPort] = await freePorts(2);
  const shared = {
    ...baseEnv(),
    HOST: '127.0.0.1',
    ...authTestEnv(),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    USERS_TRANSPORT: transport,
    NATS_URL: testNatsUrl(),
    REDIS_URL: testRedisUrl(),
    BUS_NAMESPACE: namespace,
  };
  const users = new AppProcess({
    name: `${name}/users`,
    port: usersPort,
    env: { ...shared, MODULES: 'users', API: 'false', PORT: String(usersPort) },
    logFile: join(logDir, name, 'users.log'),
  });
  const gateway = new AppProcess({
    name: `${name}/gateway`,
    port: gatewayPort,
    env: { ...shared, MODULES: 'orders,auth', API: 'true', PORT: String(gatewayPort) },
    logFile: join(logDir, name, 'gateway.log'),
  });
  return { users, gateway, stop: () => Promise.all([users.kill(), gateway.kill()]) };
}

describe('sharing a broker', () => {
  const stops: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    for (const url of [testDatabaseUrl(), secondDatabase()]) {
      await ensureTestDatabase(url);
      await resetTestDatabase(url);
    }
  });

  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  }, 60_000);

  it('refuses a second process serving the same module on the same Redis, naming NATS; another namespace may', async () => {
    const namespace = `share-${randomBytes(3).toString('hex')}`;
    const first = await deployment('redis-first', 'redis', namespace, testDatabaseUrl());
    stops.push(first.stop);
    await first.users.start();
    const [port] = await freePorts(1);
    const second = new AppProcess({
      name: 'redis-second/users',
      port,
      env: { ...first.users.env, PORT: String(port) },
      logFile: join(logDir, 'redis-second', 'users.log'),
    });
    stops.push(() => second.kill());
    await second.start({ waitReady: false });
    const deadline = Date.now() + 30_000;
    while (second.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(second.exitStatus).toEqual({ code: 78, signal: null });
    expect(second.logTail()).toMatch(/Another process already serves the users module on this Redis.*USERS_TRANSPORT=nats/);

    // The same module in another deployment (another namespace) on the same Redis is no second process.
    const other = new AppProcess({
      name: 'redis-other/users',
      port,
      env: { ...first.users.env, PORT: String(port), BUS_NAMESPACE: `${namespace}-b`, DATABASE_URL: secondDatabase() },
      logFile: join(logDir, 'redis-other', 'users.log'),
    });
    stops.push(() => other.kill());
    await other.start();
  }, 120_000);

  it.each(['nats', 'redis'] as const)(
    'keeps two deployments on one %s apart by BUS_NAMESPACE',
    async (transport) => {
      const suffix = randomBytes(3).toString('hex');
      const [a, b] = [
        await deployment(`${transport}-a`, transport, `a-${suffix}`, testDatabaseUrl()),
        await deployment(`${transport}-b`, transport, `b-${suffix}`, secondDatabase()),
      ];
      stops.push(a.stop, b.stop);
      await Promise.all([a.users.start(), a.gateway.start(), b.users.start(), b.gateway.start()]);
      await Promise.all([a.gateway.waitConnected(), b.gateway.waitConnected()]);

      const sent: string[] = [];
      for (let i = 0; i < 10; i++) {
        const cid = `share-${transport}-${randomUUID()}`;
        sent.push(cid);
        const reg = await sendJson(
          a.gateway.url,
          'POST',
          '/v1/auth/register',
          { name: 'Shared Broker', email: `share-${randomUUID()}@example.com`, password: TEST_PASSWORD },
          cid,
        );
        expect(reg.status).toBe(201);
        const { account, accessToken } = JSON.parse(reg.body!) as { account: { id: string }; accessToken: string };
        const me = await sendJson(a.gateway.url, 'GET', '/v1/users/me', undefined, cid, { authorization: `Bearer ${accessToken}` });
        expect(me.status).toBe(200);
        expect(JSON.parse(me.body!).id).toBe(account.id);
      }
      const handledByA = handledMessages(a.users).filter((m) => sent.includes(m.correlationId)).length;
      const handledByB = handledMessages(b.users).filter((m) => sent.includes(m.correlationId)).length;
      console.log(
        `[broker-sharing] ${transport}: deployment A's 20 requests: ${handledByA} messages handled by A's users, ${handledByB} by B's`,
      );
      expect(handledByA).toBeGreaterThanOrEqual(10);
      expect(handledByB).toBe(0);
    },
    120_000,
  );
});
