import { randomUUID } from 'node:crypto';
import { TEST_PASSWORD } from '../support/auth-fixtures.js';
import { type HttpOutcome, sendJson } from '../support/http-call.js';
import { handledMessages } from '../support/process-logs.js';
import { TestDatabase } from '../support/test-database.js';
import { RunningTopology, startTopology } from '../support/topology.js';
import { sleep, workers } from '../support/waiting.js';

/**
 * Every module as replicas on NATS (users x3, orders x2, auth x2) behind two gateways taking turns.
 * Under mixed load every message is handled by exactly one replica, the replicas share the work, and
 * no order is stored twice or lost; with one users and one orders replica killed (SIGKILL) under load,
 * no request outlives the deadline, failures are 503/504 problem+json only, and retrying a POST with
 * its Idempotency-Key yields one order.
 */
const DEADLINE_MS = 2000;
const statusOf = (o: HttpOutcome) => (o.status === undefined ? `error:${o.error}` : String(o.status));

function tally(outcomes: HttpOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[statusOf(o)] = (counts[statusOf(o)] ?? 0) + 1;
  return counts;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]) : 0;
}

describe('replicas on NATS under load', () => {
  let topology: RunningTopology;
  const db = new TestDatabase();
  let base = '';
  let sequence = 0;
  const outcomes: HttpOutcome[] = [];

  beforeAll(async () => {
    topology = await startTopology('replicas-nats', {
      label: 'replicas-load',
      env: { LOG_LEVEL: 'info', BUS_DEADLINE_MS: String(DEADLINE_MS), EVENTS_SETTLE_MS: '500' },
    });
    base = topology.baseUrl;
  }, 240_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  /** One request with a correlation id of this suite's, recorded. */
  async function call(
    prefix: string,
    method: string,
    path: string,
    body?: object,
    headers: Record<string, string> = {},
  ): Promise<HttpOutcome> {
    const outcome = await sendJson(base, method, path, body, `${prefix}-${++sequence}`, headers);
    outcomes.push(outcome);
    return outcome;
  }

  it("handles each of 3,000 mixed requests once, spreads each module's messages over its replicas, stores what it answered", async () => {
    const TOTAL = 3000;
    const started = outcomes.length;
    const sent = () => outcomes.length - started;
    const ordersAnswered = new Set<string>();
    await workers(
      12,
      () => sent() < TOTAL,
      async () => {
        // One account's life: registration, a profile change, orders with and without a key (and a replay),
        // a cancel, a list, and for some a deletion.
        const email = `load-${randomUUID()}@example.com`;
        const reg = await call('load', 'POST', '/v1/auth/register', { name: 'Load Buyer', email, password: TEST_PASSWORD });
        expect(reg.status).toBe(201);
        const {
          account: { id: userId },
          accessToken,
        } = JSON.parse(reg.body!) as { account: { id: string }; accessToken: string };
        const auth = { authorization: `Bearer ${accessToken}` };
        expect((await call('load', 'PATCH', `/v1/users/${userId}`, { name: 'Load Buyer Renamed' }, auth)).status).toBe(200);
        const line = { items: [{ sku: 'LOAD-1', quantity: 2, unitPriceCents: 150 }] };
        const plain = await call('load', 'POST', '/v1/orders', line, auth);
        expect(plain.status).toBe(201);
        const key = { ...auth, 'idempotency-key': randomUUID() };
        const first = await call('load', 'POST', '/v1/orders', line, key);
        const replay = await call('load', 'POST', '/v1/orders', line, key);
        expect([first.status, replay.status]).toEqual([201, 201]);
        expect(JSON.parse(replay.body!).id).toBe(JSON.parse(first.body!).id);
        for (const o of [plain, first]) ordersAnswered.add(JSON.parse(o.body!).id);
        expect((await call('load', 'POST', `/v1/orders/${JSON.parse(plain.body!).id}/cancel`, undefined, auth)).status).toBe(200);
        expect((await call('load', 'GET', '/v1/orders', undefined, auth)).status).toBe(200);
        if (sequence % 3 === 0) expect((await call('load', 'DELETE', `/v1/users/${userId}`, undefined, auth)).status).toBe(204);
      },
    );
    const load = outcomes.slice(started);
    console.log(
      `[replicas-load] ${load.length} requests through 2 gateways: ${JSON.stringify(tally(load))}; ` +
        `p50 ${percentile(
          load.map((o) => o.endedAt - o.startedAt),
          50,
        )} ms, p99 ${percentile(
          load.map((o) => o.endedAt - o.startedAt),
          99,
        )} ms`,
    );
    expect(load.length).toBeGreaterThanOrEqual(TOTAL);
    expect(Object.keys(tally(load)).filter((s) => !['200', '201', '204'].includes(s))).toEqual([]);

    // Which replica handled what, from each process's log.
    await sleep(1000);
    const byModule: Record<string, Record<string, number>> = {};
    const handled = new Map<string, string[]>();
    for (const [name, process] of Object.entries(topology.processes)) {
      if (name.startsWith('gateway')) continue;
      const module = name.split('-')[0];
      const messages = handledMessages(process);
      (byModule[module] ??= {})[name] = messages.length;
      for (const m of messages) {
        if (!m.correlationId.startsWith('load-')) continue;
        const key = `${m.correlationId} ${m.pattern}`;
        handled.set(key, [...(handled.get(key) ?? []), name]);
      }
    }
    const twice = [...handled].filter(([, by]) => by.length > 1);
    console.log(`[replicas-load] messages of these requests handled: ${handled.size}, by more than one replica: ${twice.length}`);
    for (const [module, counts] of Object.entries(byModule)) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const shares = Object.entries(counts).map(([name, n]) => `${name} ${n} (${((100 * n) / total).toFixed(1)} %)`);
      console.log(`[replicas-load] ${module}: ${total} messages handled: ${shares.join(', ')}`);
      for (const n of Object.values(counts)) expect(n / total).toBeGreaterThanOrEqual(0.2);
    }
    expect(twice).toEqual([]);
    expect(handled.size).toBeGreaterThan(TOTAL);

    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.orders');
    console.log(`[replicas-load] orders answered 201: ${ordersAnswered.size}, stored: ${n}`);
    expect(n).toBe(ordersAnswered.size);
  }, 300_000);

  it('survives SIGKILL of a users and an orders replica under load: none past the deadline, only 503/504, one order per key', async () => {
    const reg = await call('kill', 'POST', '/v1/auth/register', {
      name: 'Kill Buyer',
      email: `kill-${randomUUID()}@example.com`,
      password: TEST_PASSWORD,
    });
    const { accessToken } = JSON.parse(reg.body!) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const line = { items: [{ sku: 'KILL-1', quantity: 1, unitPriceCents: 100 }] };
    const [{ n: before }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.orders');

    const phase: HttpOutcome[] = [];
    const keys = new Map<string, string>();
    let stop = false;
    const load = workers(
      8,
      () => !stop,
      async () => {
        // An order with its key, retried with the same key until it is answered 201.
        const key = randomUUID();
        for (let attempt = 1; attempt <= 10; attempt++) {
          const o = await call('kill', 'POST', '/v1/orders', line, { ...auth, 'idempotency-key': key });
          phase.push(o);
          if (o.status === 201) {
            keys.set(key, JSON.parse(o.body!).id);
            break;
          }
          await sleep(100);
        }
        phase.push(await call('kill', 'GET', '/v1/orders?limit=5', undefined, auth));
      },
    );
    await sleep(2000);
    const killedAt = performance.now();
    await Promise.all([topology.processes['users-2'].kill('SIGKILL'), topology.processes['orders-1'].kill('SIGKILL')]);
    await sleep(4000);
    await Promise.all([topology.processes['users-2'].start(), topology.processes['orders-1'].start()]);
    await sleep(2000);
    stop = true;
    await load;

    const durations = phase.map((o) => o.endedAt - o.startedAt);
    const failures = phase.filter((o) => o.status !== 200 && o.status !== 201);
    console.log(
      `[replicas-kill] ${phase.length} requests, kill at ${Math.round(killedAt)}: ${JSON.stringify(tally(phase))}; ` +
        `longest ${Math.round(Math.max(...durations))} ms (deadline ${DEADLINE_MS} ms); keys answered 201: ${keys.size}`,
    );
    expect(Math.max(...durations)).toBeLessThan(DEADLINE_MS + 1500);
    for (const f of failures) {
      expect([503, 504]).toContain(f.status);
      expect(f.contentType).toMatch(/^application\/problem\+json/);
    }
    const [{ n: after }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders.orders');
    const perKey = await db.query<{ key: string; order_id: string | null; n: number }>(
      `SELECT k.key, k.order_id, count(o.id)::int AS n FROM orders.idempotency_keys k LEFT JOIN orders.orders o ON o.id = k.order_id
       WHERE k.key = ANY($1) GROUP BY k.key, k.order_id`,
      [[...keys.keys()]],
    );
    expect(perKey).toHaveLength(keys.size);
    expect(perKey.filter((r) => r.n !== 1 || r.order_id !== keys.get(r.key))).toEqual([]);
    // Every order of the phase is the one order of its key.
    expect(after - before).toBe(keys.size);
  }, 120_000);
});
