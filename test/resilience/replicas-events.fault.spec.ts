import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { admin, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { sendJson } from '../support/http-call.js';
import { eventStreams } from '../support/event-streams.js';
import { TestDatabase } from '../support/test-database.js';
import { RunningTopology, startTopology } from '../support/topology.js';
import { pool, sleep, until } from '../support/waiting.js';

/**
 * Durable events with replicas on both sides (users x3, orders x2, auth x2 on NATS): 1,000 accounts
 * are deleted while both orders replicas are stopped (one SIGKILLed) and started again, and the users
 * replica that relays users' events is SIGKILLed. Counted from the data: no event lost, none applied
 * twice, the events of each account applied in the order they were published, and how long relaying
 * took to resume after the relay died.
 */
const DELETED = 1000;
const KEPT = 20;
const WORKERS = 12;
describe('events across replicas on NATS', () => {
  let topology: RunningTopology;
  const db = new TestDatabase();
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(sql, params))[0].n);

  beforeAll(async () => {
    topology = await startTopology('replicas-nats', {
      label: 'replicas-events',
      env: { BUS_DEADLINE_MS: '2000', LOG_LEVEL: 'info' },
    });
  }, 240_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  /** The users replica whose log last says it took the users relay lock, among those running. */
  function relayingUsersReplica(): string {
    let latest = { name: '', at: 0 };
    for (const name of ['users-1', 'users-2', 'users-3']) {
      const process = topology.processes[name];
      if (!process.running) continue;
      for (const line of readFileSync(process.logFile, 'utf8').split('\n')) {
        if (!line.includes('events:relay:users') || !line.includes('now relays')) continue;
        const at = (JSON.parse(line) as { time: number }).time;
        if (at > latest.at) latest = { name, at };
      }
    }
    if (!latest.name) throw new Error('no running users replica says it relays');
    return latest.name;
  }

  it(`loses no event and applies none twice, in order per account, across ${DELETED} deletions with replicas killed`, async () => {
    const base = topology.baseUrl;
    const root = await admin(base);
    const call = (method: string, path: string, token: string, body?: object, extra: Record<string, string> = {}) =>
      sendJson(base, method, path, body, `events-${randomUUID()}`, { authorization: `Bearer ${token}`, ...extra });

    // Accounts, each with one pending order.
    const users: string[] = [];
    await pool(Array.from({ length: DELETED + KEPT }), WORKERS, async (_, i) => {
      const reg = await sendJson(
        base,
        'POST',
        '/v1/auth/register',
        { name: `Buyer ${i}`, email: `events-${randomUUID()}@example.com`, password: TEST_PASSWORD },
        `seed-${i}`,
      );
      expect(reg.status).toBe(201);
      const { account, accessToken } = JSON.parse(reg.body!) as { account: { id: string }; accessToken: string };
      const order = await call('POST', '/v1/orders', accessToken, { items: [{ sku: `EV-${i}`, quantity: 1, unitPriceCents: 100 }] });
      expect(order.status).toBe(201);
      users[i] = account.id;
    });
    const doomed = users.slice(0, DELETED);
    const kept = users.slice(DELETED);

    // The deletions; a quarter in, both orders replicas go down (one SIGKILLed) and come back 3 s later;
    // halfway, the users replica that relays is SIGKILLed and started again.
    const answers = new Map<string, number>();
    let done = 0;
    const faults: Array<Promise<void>> = [];
    let relayKilledAt: Date | undefined;
    let relayVictim = '';
    await pool(doomed, 8, async (id) => {
      for (;;) {
        const res = await call('DELETE', `/v1/users/${id}`, root.accessToken);
        const status = String(res.status ?? res.error);
        answers.set(status, (answers.get(status) ?? 0) + 1);
        if (res.status === 204 || res.status === 404) break;
        expect([503, 504]).toContain(res.status);
        await sleep(100);
      }
      done += 1;
      if (done === DELETED / 4) {
        faults.push(
          (async () => {
            await Promise.all([topology.processes['orders-1'].kill('SIGKILL'), topology.processes['orders-2'].kill('SIGTERM')]);
            await sleep(3000);
            await Promise.all([topology.processes['orders-1'].start(), topology.processes['orders-2'].start()]);
          })(),
        );
      }
      if (done === DELETED / 2) {
        relayVictim = relayingUsersReplica();
        faults.push(
          (async () => {
            await topology.processes[relayVictim].kill('SIGKILL');
            relayKilledAt = (await db.query<{ now: Date }>('SELECT now() AS now'))[0].now;
            await sleep(1000);
            await topology.processes[relayVictim].start();
          })(),
        );
      }
    });
    await Promise.all(faults);

    // Relaying resumed: the first users event acknowledged after the relay died, on the database's clock.
    await until(
      30_000,
      async () => (await count('SELECT count(*) AS n FROM users.outbox WHERE delivered_at > $1', [relayKilledAt])) > 0,
      'a users event delivered after the relay was killed',
    );
    const resumed = Number(
      (
        await db.query<{ ms: string }>(
          'SELECT extract(epoch FROM min(delivered_at) - $1::timestamptz) * 1000 AS ms FROM users.outbox WHERE delivered_at > $1',
          [relayKilledAt],
        )
      )[0].ms,
    );

    const ids = doomed;
    await until(
      90_000,
      async () =>
        (await count("SELECT count(*) AS n FROM orders.orders WHERE user_id = ANY($1::uuid[]) AND status = 'pending'", [ids])) === 0,
      "orders cancelling the deleted accounts' pending orders",
    );
    await until(
      60_000,
      async () =>
        (await count('SELECT count(*) AS n FROM users.outbox WHERE delivered_at IS NULL')) === 0 &&
        (await count('SELECT count(*) AS n FROM auth.outbox WHERE delivered_at IS NULL')) === 0,
      'every event acknowledged',
    );

    const published = await count("SELECT count(DISTINCT event_id) AS n FROM users.outbox WHERE name = 'users.user-deleted'");
    const appliedByOrders = await count("SELECT count(*) AS n FROM orders.inbox WHERE name = 'users.user-deleted'");
    const appliedByAuth = await count("SELECT count(*) AS n FROM auth.inbox WHERE name = 'users.user-deleted'");
    const cancelled = await count(
      `SELECT count(*) AS n FROM orders.orders
       WHERE user_id = ANY($1::uuid[]) AND status = 'cancelled' AND cancel_reason = 'account-deleted'`,
      [ids],
    );
    const credentialsLeft = await count('SELECT count(*) AS n FROM auth.credentials WHERE user_id = ANY($1::uuid[])', [ids]);
    const keptPending = await count("SELECT count(*) AS n FROM orders.orders WHERE user_id = ANY($1::uuid[]) AND status = 'pending'", [
      kept,
    ]);
    // Every event each consumer got, against what its producers wrote for it: one inbox row per outbox row.
    const streams = await eventStreams(db);
    // Order per account: in users' inbox, each account's registration came before its credentials' end.
    const outOfOrder = await count(`
      SELECT count(*) AS n FROM (
        SELECT o.aggregate_id, array_agg(o.seq ORDER BY i.received_at, o.seq) AS by_arrival,
               array_agg(o.seq ORDER BY o.seq) AS by_publication
        FROM auth.outbox o JOIN users.inbox i ON i.event_id = o.event_id WHERE o.consumer = 'users' GROUP BY o.aggregate_id
      ) per_account WHERE by_arrival <> by_publication`);
    const accountsWithTwo = await count(`SELECT count(*) AS n FROM (SELECT aggregate_id FROM auth.outbox WHERE consumer = 'users'
      GROUP BY aggregate_id HAVING count(*) >= 2) two`);
    const lost = DELETED - cancelled + streams.reduce((sum, s) => sum + Math.max(0, s.written - s.applied), 0);
    const twice =
      appliedByOrders - published + (appliedByAuth - published) + streams.reduce((sum, s) => sum + Math.max(0, s.applied - s.written), 0);

    process.stdout.write(
      `[events replicas] delete answers ${JSON.stringify(Object.fromEntries(answers))}; ` +
        `relay ${relayVictim} SIGKILLed, relaying resumed after ${Math.round(resumed)} ms; ` +
        `streams ${streams.map((s) => `${s.stream} ${s.applied}/${s.written}`).join(', ')}; ` +
        `user-deleted published ${published}, applied by orders ${appliedByOrders}, by auth ${appliedByAuth}; ` +
        `orders cancelled ${cancelled}/${DELETED}; lost ${lost}, applied twice ${twice}; ` +
        `accounts with 2+ events to users ${accountsWithTwo}, out of order ${outOfOrder}; ` +
        `credentials left ${credentialsLeft}; kept accounts' pending orders ${keptPending}/${KEPT}\n`,
    );
    expect(published).toBe(DELETED);
    expect(appliedByOrders).toBe(DELETED);
    expect(appliedByAuth).toBe(DELETED);
    expect(cancelled).toBe(DELETED);
    expect(lost).toBe(0);
    expect(twice).toBe(0);
    expect(accountsWithTwo).toBeGreaterThanOrEqual(DELETED);
    expect(outOfOrder).toBe(0);
    expect(credentialsLeft).toBe(0);
    expect(keptPending).toBe(KEPT);
    expect(resumed).toBeLessThan(5000);
  }, 600_000);
});
