import request from 'supertest';
import { bearer, register } from '../support/auth-fixtures.js';
import { TestDatabase } from '../support/test-database.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * The extracted users process is killed (SIGKILL, a crash) and started again while signed-in users keep
 * placing orders through the gateway. Over TCP and over Redis the gateway must answer every request within
 * the deadline plus one second, never store an order it could not verify, and recover by itself.
 */
const DEADLINE_MS = 2000;
const DOWN_FOR_MS = 1500;
const TRAFFIC_AFTER_READY_MS = 7000;
const WORKERS = 4;

interface Outcome {
  startedAt: number;
  endedAt: number;
  status: number;
  contentType: string;
  code?: string;
  orderId?: string;
  userId: string;
}

describe.each(['users-tcp', 'users-redis'])('killing and restarting the users process (%s)', (topologyName) => {
  let topology: RunningTopology;
  const db = new TestDatabase();

  beforeAll(async () => {
    topology = await startTopology(topologyName, { label: 'fault', env: { BUS_DEADLINE_MS: String(DEADLINE_MS), LOG_LEVEL: 'warn' } });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  it('answers every request in time, stores only verified orders and recovers without a gateway restart', async () => {
    // The process to kill hosts the users core and nothing else (auth and orders stay up).
    expect(topology.processes.users.env.MODULES).toBe('users');
    const api = request(topology.baseUrl);
    const buyers: Array<{ userId: string; authorization: string }> = [];
    for (let i = 0; i < 5; i++) {
      const session = await register(topology.baseUrl, { name: `Fault ${i}` });
      buyers.push({ userId: session.userId, authorization: bearer(session.accessToken) });
    }
    const gatewayPid = topology.processes.gateway.pid;

    const outcomes: Outcome[] = [];
    let running = true;
    const place = async (n: number) => {
      const { userId, authorization } = buyers[n % buyers.length];
      const startedAt = Date.now();
      const res = await api
        .post('/v1/orders')
        .timeout(DEADLINE_MS + 10_000)
        .set('authorization', authorization)
        .send({ items: [{ sku: `SKU-${n}`, quantity: 1 + (n % 3), unitPriceCents: 250 }] });
      outcomes.push({
        startedAt,
        endedAt: Date.now(),
        status: res.status,
        contentType: String(res.headers['content-type'] ?? ''),
        code: res.body?.code,
        orderId: res.status === 201 ? res.body.id : undefined,
        userId,
      });
    };
    let counter = 0;
    const traffic = Array.from({ length: WORKERS }, async () => {
      while (running) {
        await place(counter++);
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    await new Promise((r) => setTimeout(r, 1500));
    const users = topology.processes.users;
    const killedAt = Date.now();
    await users.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, DOWN_FOR_MS));
    await users.start();
    const readyAt = Date.now();
    await new Promise((r) => setTimeout(r, TRAFFIC_AFTER_READY_MS));
    running = false;
    await Promise.all(traffic);

    // Every request was answered in time, with a success or a problem+json saying the module was unreachable.
    for (const o of outcomes) {
      expect(o.endedAt - o.startedAt).toBeLessThanOrEqual(DEADLINE_MS + 1000);
      if (o.status !== 201) {
        expect([503, 504]).toContain(o.status);
        expect(o.contentType).toMatch(/^application\/problem\+json/);
        expect(['BUS.UNAVAILABLE', 'BUS.TIMEOUT']).toContain(o.code);
      }
    }
    // The outage was real and visible, and traffic ran on both sides of it.
    expect(outcomes.some((o) => o.startedAt >= killedAt && o.endedAt <= readyAt && o.status !== 201)).toBe(true);
    expect(outcomes.some((o) => o.endedAt < killedAt && o.status === 201)).toBe(true);

    // Recovery: a 2xx within 5 s of the users process being ready, and only 2xx for requests sent after that.
    const firstSuccessAfterReady = outcomes
      .filter((o) => o.startedAt >= readyAt && o.status === 201)
      .sort((a, b) => a.endedAt - b.endedAt)[0];
    expect(firstSuccessAfterReady).toBeDefined();
    expect(firstSuccessAfterReady.endedAt - readyAt).toBeLessThanOrEqual(5000);
    const settled = outcomes.filter((o) => o.startedAt >= readyAt + 5000);
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.every((o) => o.status === 201)).toBe(true);

    // The gateway was never restarted.
    expect(topology.processes.gateway.pid).toBe(gatewayPid);

    // Stored orders are exactly the acknowledged ones, each owned by the user who placed it, who exists.
    const stored = await db.query<{ id: string; user_id: string }>('SELECT id, user_id FROM orders.orders');
    const acknowledged = outcomes.filter((o) => o.orderId);
    expect(stored.map((s) => s.id).sort()).toEqual(acknowledged.map((o) => o.orderId).sort());
    const placedBy = new Map(acknowledged.map((o) => [o.orderId, o.userId]));
    expect(stored.every((s) => placedBy.get(s.id) === s.user_id)).toBe(true);
    const known = new Set((await db.query<{ id: string }>('SELECT id FROM users.users')).map((u) => u.id));
    expect(stored.every((s) => known.has(s.user_id))).toBe(true);
  }, 120_000);
});
