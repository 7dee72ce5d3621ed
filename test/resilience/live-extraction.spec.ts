import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppProcess, PROJECT_ROOT } from '../support/app-process.js';
import { bearer, freshEmail, register, TEST_PASSWORD, type Session } from '../support/auth-fixtures.js';
import { type BalancedMonoliths, type PlacedOrder, startBalancedMonoliths } from '../support/balanced-monoliths.js';
import type { Balancer } from '../support/balancer.js';
import { freePorts } from '../support/free-port.js';
import { KeepAliveClient, pacedLoad, percentile, type LoadOutcome } from '../support/paced-load.js';
import { eventStreams } from '../support/event-streams.js';
import { TestDatabase } from '../support/test-database.js';
import { testNatsUrl, testRedisUrl } from '../support/topology.js';
import { sleep } from '../support/waiting.js';

/**
 * The live move: two monoliths on PostgreSQL behind HAProxy (health checks on /health/ready) serve a
 * steady load of about 100 requests a second (reads, orders with an Idempotency-Key, profile updates,
 * registrations, deletions) while users, then orders, then auth are moved out into replicas on NATS
 * and back, each by the plan `npm run extract -- <module> --json` prints: the replicas start, each
 * monolith is rolled in turn to the shape without the module, then back, and the replicas stop. No
 * client may notice: no answer outside each operation's own status, no order or deletion lost, every
 * event applied exactly once, and p99 during the moves at most three times p99 before.
 */
const RATE_PER_SECOND = 100;
const CHECK_INTERVAL_MS = 500;
/** Longer than HAProxy needs to take a backend out (two failed checks, 500 ms apart), with room for a busy machine. */
const READINESS_DELAY_MS = 2500;
const REPLICAS = 2;
const BEFORE_MS = 10_000;
const SETTLE_MS = 3000;
const AFTER_MS = 10_000;
const SESSIONS = 16;
const DOOMED = 200;
const MOVES = ['users', 'orders', 'auth'];

const EXPECTED: Record<string, number> = {
  read: 200,
  'read-order': 200,
  'list-orders': 200,
  'place-order': 201,
  'update-profile': 200,
  register: 201,
  'read-new-profile': 200,
  delete: 204,
};

interface Plan {
  module: string;
  monolith: Record<string, string>;
  replica: Record<string, string>;
  rest: Record<string, string>;
}
interface Step {
  what: string;
  at: number;
  ms: number;
}

describe('moving modules out of running monoliths and back, behind HAProxy', () => {
  const db = new TestDatabase();
  let deployment: BalancedMonoliths | undefined;
  let shared: Record<string, string> = {};
  let monoliths: AppProcess[] = [];
  let replicas: AppProcess[] = [];
  let balancer: Balancer | undefined;
  let client: KeepAliveClient | undefined;
  let sessions: Session[] = [];
  let seedOrders: PlacedOrder[] = [];
  const doomed: Array<{ session: Session; orderId: string }> = [];
  let generation = 0;

  /** A monolith process in `shape`, on a port of the balancer's, with a log of its own. */
  const monolith = (name: string, port: number, shape: Record<string, string>) =>
    new AppProcess({
      name,
      port,
      env: { ...shared, ...shape, PORT: String(port) },
      logFile: join(deployment!.logDir, `${name}-${++generation}.log`),
    });

  beforeAll(async () => {
    deployment = await startBalancedMonoliths({
      label: 'live-extraction',
      env: {
        NATS_URL: testNatsUrl(),
        REDIS_URL: testRedisUrl(),
        BUS_NAMESPACE: `move-${randomBytes(3).toString('hex')}`,
        RATE_LIMIT_STORE: 'redis',
        SHUTDOWN_READINESS_DELAY_MS: String(READINESS_DELAY_MS),
        SHUTDOWN_GRACE_MS: '15000',
        // A registration answers once the new profile exists, normally: the load reads it at once.
        EVENTS_SETTLE_MS: '2500',
      },
      sessions: SESSIONS,
      checkIntervalMs: CHECK_INTERVAL_MS,
    });
    ({ shared, monoliths, balancer, client, sessions, seedOrders } = deployment);
    // Accounts the load deletes, one by one, each with a pending order the deletion must cancel.
    for (let i = 0; i < DOOMED; i++) {
      const session = await register(balancer.url, { name: `Leaving Customer ${i}` });
      const placed = await client.call(
        'POST',
        '/v1/orders',
        { items: [{ sku: 'DOOMED-1', quantity: 1, unitPriceCents: 100 }] },
        { authorization: bearer(session.accessToken) },
      );
      if (placed.status !== 201) throw new Error(`Seeding an order answered ${placed.status}: ${JSON.stringify(placed.body)}`);
      doomed.push({ session, orderId: placed.body.id });
    }
  }, 300_000);

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all(replicas.map((m) => m.kill('SIGKILL')));
    await db.close();
  }, 60_000);

  /** The plan the operator command prints for this deployment's environment. */
  async function planOf(module: string): Promise<Plan> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(PROJECT_ROOT, 'dist', 'src', 'cli.js'), 'extract', module, '--json'],
      {
        cwd: PROJECT_ROOT,
        env: shared,
      },
    );
    return JSON.parse(stdout) as Plan;
  }

  it(`moves ${MOVES.join(', ')} out and back under ${RATE_PER_SECOND} requests a second without a failed request`, async () => {
    const lb = balancer!;
    const api = client!;
    const placed: PlacedOrder[] = [];
    const deleted: Array<{ userId: string; orderId: string }> = [];
    let nextDoomed = 0;
    let phase = 'before';
    const steps: Step[] = [];

    const op = async (n: number): Promise<LoadOutcome[]> => {
      const owner = sessions[n % sessions.length];
      const auth = { authorization: bearer(owner.accessToken) };
      const slot = n % 50;
      const at = phase;
      const run = async (name: string, method: string, path: string, body?: object, headers: Record<string, string> = auth) => {
        const startedAt = performance.now();
        const answer = await api.call(method, path, body, headers);
        return {
          outcome: {
            op: name,
            phase: at,
            startedAt,
            endedAt: performance.now(),
            status: answer.status,
            error: answer.error,
            code: answer.body?.code,
          },
          answer,
        };
      };
      if (slot < 16) return [(await run('read', 'GET', '/v1/users/me')).outcome];
      if (slot < 24) {
        const known = seedOrders[n % seedOrders.length];
        return [
          (await run('read-order', 'GET', `/v1/orders/${known.id}`, undefined, { authorization: bearer(known.owner.accessToken) })).outcome,
        ];
      }
      if (slot < 27) return [(await run('list-orders', 'GET', '/v1/orders?limit=5')).outcome];
      if (slot < 37) {
        const { outcome, answer } = await run(
          'place-order',
          'POST',
          '/v1/orders',
          { items: [{ sku: `LOAD-${n}`, quantity: 1 + (n % 3), unitPriceCents: 250 }] },
          { ...auth, 'idempotency-key': randomUUID() },
        );
        if (answer.status === 201) placed.push({ id: answer.body.id, owner, body: answer.body });
        return [outcome];
      }
      if (slot < 45) return [(await run('update-profile', 'PATCH', `/v1/users/${owner.userId}`, { name: `Steady Customer ${n}` })).outcome];
      if (slot < 47 && nextDoomed < doomed.length) {
        const leaving = doomed[nextDoomed++];
        const { outcome } = await run('delete', 'DELETE', `/v1/users/${leaving.session.userId}`, undefined, {
          authorization: bearer(leaving.session.accessToken),
        });
        if (outcome.status === 204) deleted.push({ userId: leaving.session.userId, orderId: leaving.orderId });
        return [outcome];
      }
      // A registration, then the new account reads its profile at once, possibly through the other monolith.
      const { outcome, answer } = await run(
        'register',
        'POST',
        '/v1/auth/register',
        { name: 'New Customer', email: freshEmail('move'), password: TEST_PASSWORD },
        {},
      );
      if (answer.status !== 201) return [outcome];
      return [
        outcome,
        (await run('read-new-profile', 'GET', '/v1/users/me', undefined, { authorization: bearer(answer.body.accessToken) })).outcome,
      ];
    };

    /**
     * Stops a monolith (SIGTERM: unready, drained by HAProxy, exits) and starts it in another shape, then
     * waits until HAProxy sends to it.
     */
    const roll = async (index: number, shape: Record<string, string>, label: string) => {
      const started = performance.now();
      const old = monoliths[index];
      const backend = old.name;
      const exited = old.kill('SIGTERM', 30_000);
      await lb.waitStatus(backend, 'DOWN', 30_000, 20);
      const exit = await exited;
      if (exit.code !== 0) throw new Error(`${backend} exited ${JSON.stringify(exit)} while rolling to ${label}`);
      monoliths[index] = monolith(backend, old.port, shape);
      await monoliths[index].start();
      await lb.waitStatus(backend, 'UP', 30_000, 20);
      steps.push({ what: `${backend} -> ${label}`, at: started - loadStarted, ms: performance.now() - started });
    };

    let stopLoad!: () => void;
    const loadStopped = new Promise<void>((resolve) => (stopLoad = resolve));
    const loadStarted = performance.now();
    const load = pacedLoad(RATE_PER_SECOND, op, loadStopped);
    try {
      await sleep(BEFORE_MS);
      phase = 'during';
      for (const module of MOVES) {
        const plan = await planOf(module);
        // Out: the replicas first, then each monolith in turn without the module.
        let started = performance.now();
        const ports = await freePorts(REPLICAS);
        replicas = ports.map(
          (port, i) =>
            new AppProcess({
              name: `${module}-${i + 1}`,
              port,
              env: { ...shared, ...plan.replica, PORT: String(port) },
              logFile: join(deployment!.logDir, `${module}-${i + 1}.log`),
            }),
        );
        await Promise.all(replicas.map((r) => r.start()));
        steps.push({ what: `${module}: ${REPLICAS} replicas ready`, at: started - loadStarted, ms: performance.now() - started });
        for (const i of [0, 1]) await roll(i, plan.rest, `without ${module}`);
        await sleep(SETTLE_MS);
        // Back: each monolith in turn with the module again, then the replicas stop.
        for (const i of [0, 1]) await roll(i, plan.monolith, 'monolith');
        started = performance.now();
        const exits = await Promise.all(replicas.map((r) => r.kill('SIGTERM', 30_000)));
        if (exits.some((e) => e.code !== 0)) throw new Error(`a ${module} replica exited ${JSON.stringify(exits)}`);
        steps.push({ what: `${module}: replicas stopped`, at: started - loadStarted, ms: performance.now() - started });
        replicas = [];
      }
      phase = 'after';
      await sleep(AFTER_MS);
    } finally {
      stopLoad();
    }
    const outcomes = await load;
    const seconds = (performance.now() - loadStarted) / 1000;

    // Every order answered 201 is there, as answered.
    const missing: string[] = [];
    for (const order of placed) {
      const read = await api.call('GET', `/v1/orders/${order.id}`, undefined, { authorization: bearer(order.owner.accessToken) });
      if (read.status !== 200 || JSON.stringify(read.body) !== JSON.stringify(order.body))
        missing.push(`${order.id}: ${read.status ?? read.error}`);
    }
    // Every deletion answered 204 cancelled its account's pending order and ended its credentials, once the events arrived.
    const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(sql, params))[0].n);
    const ids = deleted.map((d) => d.userId);
    const settled = async () =>
      (await count("SELECT count(*) AS n FROM orders.orders WHERE user_id = ANY($1::uuid[]) AND status = 'pending'", [ids])) === 0 &&
      (await count('SELECT count(*) AS n FROM auth.credentials WHERE user_id = ANY($1::uuid[])', [ids])) === 0 &&
      (await count(
        `SELECT (SELECT count(*) FROM users.outbox WHERE delivered_at IS NULL)
              + (SELECT count(*) FROM auth.outbox WHERE delivered_at IS NULL) AS n`,
      )) === 0;
    for (let tries = 0; tries < 100 && !(await settled()); tries++) await sleep(200);
    const notCancelled = await count(
      `SELECT count(*) AS n FROM orders.orders
       WHERE id = ANY($1::uuid[]) AND NOT (status = 'cancelled' AND cancel_reason = 'account-deleted')`,
      [deleted.map((d) => d.orderId)],
    );
    const credentialsLeft = await count('SELECT count(*) AS n FROM auth.credentials WHERE user_id = ANY($1::uuid[])', [ids]);
    const streams = await eventStreams(db);

    const relative = outcomes.map((o) => ({ ...o, startedAt: o.startedAt - loadStarted, endedAt: o.endedAt - loadStarted }));
    const unexpected = relative.filter((o) => o.status !== EXPECTED[o.op]);
    const p99 = (phase: string) =>
      percentile(
        relative.filter((o) => o.phase === phase).map((o) => o.endedAt - o.startedAt),
        99,
      );
    const p50 = (phase: string) =>
      percentile(
        relative.filter((o) => o.phase === phase).map((o) => o.endedAt - o.startedAt),
        50,
      );
    writeFileSync(join(deployment!.logDir, 'outcomes.json'), JSON.stringify({ steps, outcomes: relative }));
    const haproxy = lb.requestLog();
    const byStatus = new Map<string, number>();
    for (const o of relative) byStatus.set(String(o.status ?? o.error), (byStatus.get(String(o.status ?? o.error)) ?? 0) + 1);
    process.stdout.write(
      [
        `\n[live extraction] ${relative.length} requests in ${seconds.toFixed(1)} s ` +
          `(${(relative.length / seconds).toFixed(1)}/s) through HAProxy; ` +
          `answers by status: ${JSON.stringify(Object.fromEntries(byStatus))}; outside the expected statuses: ${unexpected.length}`,
        ...['before', 'during', 'after'].map(
          (p) =>
            `  ${p.padEnd(6)}: ${relative.filter((o) => o.phase === p).length} requests, ` +
            `p50 ${p50(p).toFixed(1)} ms, p99 ${p99(p).toFixed(1)} ms`,
        ),
        `  p99 during by operation: ` +
          Object.keys(EXPECTED)
            .map(
              (op) =>
                `${op} ${percentile(
                  relative.filter((o) => o.phase === 'during' && o.op === op).map((o) => o.endedAt - o.startedAt),
                  99,
                ).toFixed(0)} ms`,
            )
            .join(', '),
        `  orders answered 201: ${placed.length}, not readable afterwards: ${missing.length}; deletions answered 204: ${deleted.length}, ` +
          `their orders not cancelled: ${notCancelled}, credentials left: ${credentialsLeft}`,
        `  events (applied/written, undelivered): ` +
          streams.map((s) => `${s.stream} ${s.applied}/${s.written} (${s.undelivered})`).join(', '),
        `  HAProxy: ${haproxy.requests} requests passed on, retried ${haproxy.retried}, ended abnormally ${haproxy.abnormal.length}`,
        ...steps.map((s) => `  at ${(s.at / 1000).toFixed(1)} s: ${s.what} (${(s.ms / 1000).toFixed(1)} s)`),
        ...unexpected
          .slice(0, 20)
          .map(
            (o) => `  unexpected: ${o.op} in ${o.phase} at ${(o.startedAt / 1000).toFixed(2)} s: ${o.status ?? o.error} ${o.code ?? ''}`,
          ),
        '',
      ].join('\n'),
    );

    expect(relative.filter((o) => o.phase === 'during').length).toBeGreaterThan(RATE_PER_SECOND * 60);
    expect(unexpected.length).toBe(0);
    expect(missing).toEqual([]);
    expect(deleted.length).toBeGreaterThan(50);
    expect(notCancelled).toBe(0);
    expect(credentialsLeft).toBe(0);
    for (const s of streams)
      expect({ stream: s.stream, applied: s.applied, undelivered: s.undelivered }).toEqual({
        stream: s.stream,
        applied: s.written,
        undelivered: 0,
      });
    expect(p99('during')).toBeLessThanOrEqual(3 * p99('before'));
  }, 900_000);
});
