import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { openEventTablesDatabase } from '../../../test/support/unit-helpers.js';
import { closeEmbeddedDatabases } from './pglite.pool.js';
import { RetentionSchedule } from './retention.js';

const DAY = 24 * 3600_000;
const olderThan = (column: string) => `${column} < now() - make_interval(secs => $1::float8 / 1000.0)`;

describe('RetentionSchedule', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openEventTablesDatabase('kept');
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(() => ds.query('TRUNCATE "kept"."outbox", "kept"."inbox"'));

  /** `n` outbox rows for one consumer, delivered (or pending, or parked) `ageDays` ago. */
  async function outboxRows(n: number, state: 'delivered' | 'pending' | 'parked', ageDays: number): Promise<void> {
    await ds.query(
      `INSERT INTO "kept"."outbox" (event_id, consumer, name, aggregate_id, payload, occurred_at, delivered_at, parked_at)
       SELECT gen_random_uuid(), 'c', 'kept.happened', g::text, '{}', now() - make_interval(days => $2),
              CASE WHEN $3 = 'delivered' THEN now() - make_interval(days => $2) END,
              CASE WHEN $3 = 'parked' THEN now() - make_interval(days => $2) END
       FROM generate_series(1, $1) g`,
      [n, ageDays, state],
    );
  }

  const count = async (sql: string) => Number((await ds.query(sql))[0].n);

  it('deletes delivered outbox rows and inbox rows past their retention, in batches, and nothing else', async () => {
    const schedule = new RetentionSchedule({ intervalMs: 0, batch: 7, outboxMs: 7 * DAY, inboxMs: 30 * DAY });
    schedule.add(ds, { table: '"kept"."outbox"', where: olderThan('delivered_at'), params: [7 * DAY] });
    schedule.add(ds, { table: '"kept"."inbox"', where: olderThan('received_at'), params: [30 * DAY] });
    await outboxRows(23, 'delivered', 8);
    await outboxRows(5, 'delivered', 6);
    await outboxRows(4, 'pending', 40);
    await outboxRows(3, 'parked', 40);
    await ds.query(`INSERT INTO "kept"."inbox" (event_id, name, producer, received_at)
      SELECT gen_random_uuid(), 'x.happened', 'x', now() - make_interval(days => CASE WHEN g <= 9 THEN 31 ELSE 29 END)
      FROM generate_series(1, 12) g`);

    expect(await schedule.sweepAll()).toEqual({ '"kept"."outbox"': 23, '"kept"."inbox"': 9 });
    expect(await count(`SELECT count(*) AS n FROM "kept"."outbox" WHERE delivered_at IS NOT NULL`)).toBe(5);
    expect(await count(`SELECT count(*) AS n FROM "kept"."outbox" WHERE delivered_at IS NULL AND parked_at IS NULL`)).toBe(4);
    expect(await count(`SELECT count(*) AS n FROM "kept"."outbox" WHERE parked_at IS NOT NULL`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM "kept"."inbox"`)).toBe(3);
    // Nothing is left to delete: a second sweep deletes nothing.
    expect(await schedule.sweepAll()).toEqual({ '"kept"."outbox"': 0, '"kept"."inbox"': 0 });
  });

  it('runs on its interval once the application has started, and stops with it', async () => {
    const schedule = new RetentionSchedule({ intervalMs: 50, batch: 100, outboxMs: DAY, inboxMs: DAY });
    schedule.add(ds, { table: '"kept"."outbox"', where: olderThan('delivered_at'), params: [DAY] });
    await outboxRows(10, 'delivered', 2);
    schedule.onApplicationBootstrap();
    try {
      for (let i = 0; i < 100 && (await count(`SELECT count(*) AS n FROM "kept"."outbox"`)) > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await count(`SELECT count(*) AS n FROM "kept"."outbox"`)).toBe(0);
    } finally {
      await schedule.onApplicationShutdown();
    }
  });
});
