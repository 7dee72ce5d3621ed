import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { ModuleSession } from '../../src/common/database/module-session.js';
import { Leadership } from '../../src/common/events/leadership.js';
import { usersMigrations } from '../../migrations/users/index.js';
import { freshTestDatabase, openPostgresModule } from '../support/pg-module.js';
import { TestDatabase } from '../support/test-database.js';

/**
 * Relay leadership between processes sharing a schema, each with its own events session, as replicas
 * have: the lock is given back when a leader resigns, is noticed lost when the server ends the leader's
 * session, and holds no connection of the request pool.
 */
const KEY = 'events:relay:leadership-spec';
const TIMING = { retryMs: 100, checkMs: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(20);
  }
  return performance.now() - started;
}

describe('Leadership on PostgreSQL', () => {
  let url: string;
  const db = new TestDatabase();
  const sessions: ModuleSession[] = [];
  const session = () => {
    const s = new ModuleSession(url, 'leadership-spec');
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    url = await freshTestDatabase();
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });

  afterAll(() => db.close());

  it('lets one of two processes lead, and hands the lead over as soon as the leader resigns', async () => {
    const [a, b] = [new Leadership(session(), KEY, TIMING), new Leadership(session(), KEY, TIMING)];
    expect(await a.lead()).toBe(true);
    await sleep(TIMING.retryMs + 10);
    expect(await b.lead()).toBe(false);
    await sleep(TIMING.retryMs + 10);
    await a.resign();
    const ms = await until(2000, () => b.lead(), 'the other process taking the lead');
    expect(await a.lead()).toBe(false);
    console.log(`[leadership] lead handed over ${Math.round(ms)} ms after the leader resigned`);
  });

  it('tells the others when the leader resigns, so one takes over at once rather than at its next retry', async () => {
    const slow = { retryMs: 10_000, checkMs: 100 };
    const [a, b] = [new Leadership(session(), KEY, slow), new Leadership(session(), KEY, slow)];
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    await sleep(50);
    const chance = b.waitForChance(10_000);
    const started = performance.now();
    await a.resign();
    await chance;
    expect(await b.lead()).toBe(true);
    const ms = performance.now() - started;
    console.log(`[leadership] with a 10 s retry, the other process led ${Math.round(ms)} ms after the resignation`);
    expect(ms).toBeLessThan(1000);
  });

  it("stops leading when the server ends the leader's session, and the other process takes over", async () => {
    const [first, second] = [session(), session()];
    const [a, b] = [new Leadership(first, KEY, TIMING), new Leadership(second, KEY, TIMING)];
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    const [{ pid }] = await first.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(2000, () => b.lead(), 'the other process taking the lead');
    // Whichever proves its session first, never both: the old leader knows it lost the lock.
    await until(2000, async () => !(await a.lead()), 'the old leader noticing it lost the lead');
    expect(await b.lead()).toBe(true);
  });

  it('holds no connection of the request pool, leading or not: a pool of one still serves requests', async () => {
    const ds: DataSource = await openPostgresModule({ name: 'users', entities: [], migrations: usersMigrations }, 1, 1000);
    try {
      const [a, b] = [new Leadership(session(), KEY, TIMING), new Leadership(session(), KEY, TIMING)];
      await a.lead();
      await sleep(TIMING.retryMs + 10);
      await b.lead();
      for (let i = 0; i < 3; i++) await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    } finally {
      await ds.destroy();
    }
  });
});
