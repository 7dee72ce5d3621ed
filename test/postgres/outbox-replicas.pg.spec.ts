import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { usersMigrations } from '../../migrations/users/index.js';
import type { EventSettings } from '../../src/common/config/settings.js';
import { ModuleSession } from '../../src/common/database/module-session.js';
import { followReplicas, Outbox } from '../../src/common/events/outbox.js';
import { freshTestDatabase, openPostgresModule } from '../support/pg-module.js';

/**
 * Two processes share the users outbox, each with its events session, as replicas do; only one of
 * them relays. A request on the other one publishes an event and waits for it to settle: it hears of
 * the delivery the relaying process records, instead of waiting out the whole settle window.
 */
const EVENT = 'users.user-deleted';
const SETTINGS: EventSettings = {
  pollMs: 250,
  longPollMs: 0,
  batchSize: 50,
  retryBackoffMs: 100,
  retryMaxMs: 1000,
  maxAttempts: 5,
  settleMs: 4000,
  leaderRetryMs: 1000,
  leaderCheckMs: 1000,
};

describe('an outbox shared by two processes, on PostgreSQL', () => {
  let url: string;
  const sources: DataSource[] = [];
  const sessions: ModuleSession[] = [];

  async function replica(): Promise<Outbox> {
    const ds = await openPostgresModule({ name: 'users', entities: [], migrations: usersMigrations });
    sources.push(ds);
    const outbox = new Outbox(ds, 'users', { [EVENT]: ['orders'] }, SETTINGS, 10_000);
    const session = new ModuleSession(url, 'users');
    sessions.push(session);
    followReplicas(session, outbox);
    await session.connect();
    return outbox;
  }

  beforeAll(async () => {
    url = await freshTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await Promise.all(sources.map((ds) => ds.destroy()));
  });

  it(
    "wakes the relaying process when another one writes an event, and settles the writer's request when the relay records " + 'it',
    async () => {
      const [writer, relay] = [await replica(), await replica()];
      const woken = relay.signal.wait(SETTINGS.settleMs).then(() => performance.now());

      const started = performance.now();
      let eventId = '';
      const settled = writer
        .transaction(async (manager) => {
          eventId = await writer.publish(manager, EVENT, 'user-1', { userId: 'user-1' });
        })
        .then(() => writer.settled(eventId, EVENT))
        .then(() => performance.now());

      // The relaying process is woken by the commit, takes the event and records the consumer's acknowledgement.
      const wokenAt = await woken;
      const [pending] = await relay.pending('orders', 10);
      expect(pending).toMatchObject({ name: EVENT, aggregateId: 'user-1' });
      await relay.record('orders', [{ eventId: pending.id, outcome: 'applied' }]);
      const settledAt = await settled;
      console.log(
        `[outbox] relay woken after ${Math.round(wokenAt - started)} ms, writer settled after ${Math.round(settledAt - started)} ms ` +
          `(settle window ${SETTINGS.settleMs} ms)`,
      );
      expect(wokenAt - started).toBeLessThan(1000);
      expect(settledAt - started).toBeLessThan(1000);
    },
  );
});
