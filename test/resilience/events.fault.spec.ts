import request from 'supertest';
import { admin, bearer, register } from '../support/auth-fixtures.js';
import { TestDatabase } from '../support/test-database.js';
import { RunningTopology, startTopology } from '../support/topology.js';
import { pool, sleep, until } from '../support/waiting.js';

/**
 * Durable events under failure, with every module in its own process: while the orders process is down,
 * 200 users with pending orders are deleted, and the users process is SIGKILLed in the middle of that
 * batch and started again; then orders comes back. In the end every deleted user's pending orders are
 * cancelled exactly once and every deleted user's credentials are gone, counted from the data. Users who
 * were not deleted keep their orders.
 */
const DELETED = 200;
const KEPT = 10;
const WORKERS = 8;

describe.each(['split', 'split-redis'])('events survive a consumer outage and a producer crash (%s)', (topologyName) => {
  let topology: RunningTopology;
  const db = new TestDatabase();
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(sql, params))[0].n);

  beforeAll(async () => {
    topology = await startTopology(topologyName, { label: 'events-fault', env: { BUS_DEADLINE_MS: '2000', LOG_LEVEL: 'warn' } });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  it("cancels each deleted user's pending orders exactly once and forgets their credentials", async () => {
    const api = request(topology.baseUrl);
    const root = await admin(topology.baseUrl);
    const users: Array<{ id: string; orders: number }> = [];
    await pool(Array.from({ length: DELETED + KEPT }), WORKERS, async (_, i) => {
      const session = await register(topology.baseUrl, { name: `Buyer ${i}` });
      const orders = 1 + (i % 2);
      for (let n = 0; n < orders; n++) {
        const res = await api
          .post('/v1/orders')
          .set('authorization', bearer(session.accessToken))
          .send({ items: [{ sku: `SKU-${i}-${n}`, quantity: 1, unitPriceCents: 100 }] });
        expect(res.status).toBe(201);
      }
      users[i] = { id: session.userId, orders };
    });
    const doomed = users.slice(0, DELETED);
    const kept = users.slice(DELETED);
    const pendingOfDoomed = doomed.reduce((sum, u) => sum + u.orders, 0);

    await topology.processes.orders.kill('SIGTERM');

    // Delete the batch; halfway through, the users process is killed and started again. A delete that
    // meets the outage is retried until it answers 204, or 404 when it had committed before the crash.
    const outcomes = new Map<number, number>();
    let deletedSoFar = 0;
    let crash: Promise<void> | undefined;
    await pool(doomed, WORKERS, async (user) => {
      for (;;) {
        const res = await api.delete(`/v1/users/${user.id}`).set('authorization', bearer(root.accessToken)).timeout(10_000);
        outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
        if (res.status === 204 || res.status === 404) break;
        expect([503, 504]).toContain(res.status);
        await sleep(100);
      }
      deletedSoFar += 1;
      if (deletedSoFar === DELETED / 2 && !crash) {
        crash = (async () => {
          await topology.processes.users.kill('SIGKILL');
          await sleep(500);
          await topology.processes.users.start();
        })();
      }
    });
    await crash;
    expect(await count(`SELECT count(*) AS n FROM users.users WHERE id = ANY($1::uuid[])`, [doomed.map((u) => u.id)])).toBe(0);

    // auth stayed up: it forgets every deleted account.
    await until(
      30_000,
      async () =>
        (await count('SELECT count(*) AS n FROM auth.credentials WHERE user_id = ANY($1::uuid[])', [doomed.map((u) => u.id)])) === 0,
      'auth forgetting the credentials',
    );
    // orders is still down: nothing of its data changed yet.
    expect(await count("SELECT count(*) AS n FROM orders.orders WHERE status = 'cancelled'")).toBe(0);

    await topology.processes.orders.start();
    await until(
      60_000,
      async () =>
        (await count("SELECT count(*) AS n FROM orders.orders WHERE user_id = ANY($1::uuid[]) AND status = 'pending'", [
          doomed.map((u) => u.id),
        ])) === 0,
      "orders cancelling the deleted users' pending orders",
    );
    // Let the relay finish recording acknowledgements, so the outbox tells the whole story.
    await until(
      30_000,
      async () => (await count('SELECT count(*) AS n FROM users.outbox WHERE delivered_at IS NULL')) === 0,
      'every users event acknowledged',
    );

    const ids = doomed.map((u) => u.id);
    const published = await count("SELECT count(DISTINCT event_id) AS n FROM users.outbox WHERE name = 'users.user-deleted'");
    const appliedByOrders = await count("SELECT count(*) AS n FROM orders.inbox WHERE name = 'users.user-deleted'");
    const appliedByAuth = await count("SELECT count(*) AS n FROM auth.inbox WHERE name = 'users.user-deleted'");
    const cancelled = await count(
      `SELECT count(*) AS n FROM orders.orders
       WHERE user_id = ANY($1::uuid[]) AND status = 'cancelled' AND cancel_reason = 'account-deleted'`,
      [ids],
    );
    const perUser = await db.query<{ user_id: string; events: string }>(
      `SELECT (payload->>'userId') AS user_id, count(DISTINCT event_id) AS events FROM users.outbox
       WHERE name = 'users.user-deleted' GROUP BY 1`,
    );
    const keptPending = await count("SELECT count(*) AS n FROM orders.orders WHERE user_id = ANY($1::uuid[]) AND status = 'pending'", [
      kept.map((u) => u.id),
    ]);
    const credentialsLeft = await count('SELECT count(*) AS n FROM auth.credentials WHERE user_id = ANY($1::uuid[])', [ids]);
    const lost = pendingOfDoomed - cancelled;
    const twice = perUser.filter((r) => Number(r.events) > 1).length + (appliedByOrders - published) + (appliedByAuth - published);

    process.stdout.write(
      `[events fault ${topologyName}] delete answers ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
        `events published ${published}, applied by orders ${appliedByOrders}, by auth ${appliedByAuth}; ` +
        `pending orders of deleted users ${pendingOfDoomed}, cancelled ${cancelled}, lost ${lost}, applied twice ${twice}; ` +
        `credentials left ${credentialsLeft}; kept users' pending orders ${keptPending}\n`,
    );
    expect(outcomes.get(503) ?? outcomes.get(504)).toBeGreaterThan(0);
    expect(published).toBe(DELETED);
    expect(perUser.map((r) => r.user_id).sort()).toEqual([...ids].sort());
    expect(appliedByOrders).toBe(DELETED);
    expect(appliedByAuth).toBe(DELETED);
    expect(cancelled).toBe(pendingOfDoomed);
    expect(lost).toBe(0);
    expect(twice).toBe(0);
    expect(credentialsLeft).toBe(0);
    expect(keptPending).toBe(kept.reduce((sum, u) => sum + u.orders, 0));
  }, 300_000);
});
