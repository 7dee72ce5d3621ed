import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openEventTablesDatabase } from '../../../test/support/unit-helpers.js';
import type { EventSettings } from '../config/settings.js';
import { closeEmbeddedDatabases } from '../database/pglite.pool.js';
import type { DeliveryResult } from './event.messages.js';
import { eventsParked } from './events.metrics.js';
import { Outbox, replayParked } from './outbox.js';

const SETTINGS: EventSettings = {
  pollMs: 50,
  longPollMs: 0,
  batchSize: 50,
  // Seconds, so the delays can be read back from the table despite the time the statements take.
  retryBackoffMs: 1000,
  retryMaxMs: 3000,
  maxAttempts: 4,
  settleMs: 0,
  leaderRetryMs: 1000,
  leaderCheckMs: 1000,
};
const SUBSCRIBERS = { 'probe.happened': ['alpha', 'beta'], 'probe.noted': ['alpha'] };

interface Row {
  event_id: string;
  consumer: string;
  attempts: number;
  delivered: boolean;
  parked: boolean;
  last_error: string | null;
  /** Seconds from now until the next attempt is due. */
  due_in: number;
}

describe('Outbox', () => {
  let ds: DataSource;
  let outbox: Outbox;

  beforeAll(async () => {
    ds = await openEventTablesDatabase('probe');
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "probe"."outbox"');
    outbox = new Outbox(ds, 'probe', SUBSCRIBERS, SETTINGS);
  });

  const publish = (aggregateId: string, name = 'probe.happened', payload: object = { aggregateId }) =>
    outbox.transaction((m) => outbox.publish(m, name, aggregateId, payload));
  const pendingIds = async (consumer: string) => (await outbox.pending(consumer, 50)).map((e) => e.id);
  const fail = (consumer: string, eventId: string, error = 'handler said no') =>
    outbox.record(consumer, [{ eventId, outcome: 'failed', error }]);
  const rows = async (consumer: string): Promise<Row[]> =>
    (
      await ds.query(
        `SELECT event_id, consumer, attempts, delivered_at IS NOT NULL AS delivered, parked_at IS NOT NULL AS parked, last_error,
              EXTRACT(EPOCH FROM next_attempt_at - clock_timestamp())::float8 AS due_in
       FROM "probe"."outbox" WHERE consumer = $1 ORDER BY seq`,
        [consumer],
      )
    ).map((r: Row) => ({ ...r, due_in: Number(r.due_in) }));
  const row = async (consumer: string, eventId: string) => (await rows(consumer)).find((r) => r.event_id === eventId)!;

  describe('publish', () => {
    it('writes one row per consumer of the event, all under one event id, with the change', async () => {
      const id = await publish('agg-1');
      expect((await rows('alpha')).map((r) => r.event_id)).toEqual([id]);
      expect((await rows('beta')).map((r) => r.event_id)).toEqual([id]);
      const noted = await publish('agg-1', 'probe.noted');
      expect((await rows('alpha')).map((r) => r.event_id)).toEqual([id, noted]);
      expect((await rows('beta')).map((r) => r.event_id)).toEqual([id]);
    });

    it('writes nothing when the transaction it belongs to rolls back', async () => {
      await expect(
        outbox.transaction(async (m) => {
          await outbox.publish(m, 'probe.happened', 'agg-1', {});
          throw new Error('the state change failed');
        }),
      ).rejects.toThrow('the state change failed');
      expect(await outbox.counts()).toEqual({ pending: 0, parked: 0 });
    });

    it("refuses another module's event and an event nobody consumes", async () => {
      await expect(publish('agg-1', 'other.happened')).rejects.toThrow('The probe module cannot publish other.happened');
      await expect(publish('agg-1', 'probe.unheard')).rejects.toThrow('No module consumes probe.unheard');
      expect(await outbox.counts()).toEqual({ pending: 0, parked: 0 });
    });

    it('wakes the relay when the transaction commits, and not when it rolls back', async () => {
      let seenAtWake: number | undefined;
      const woken = outbox.signal.wait(10_000).then(async () => {
        seenAtWake = (await outbox.counts()).pending;
      });
      await publish('agg-1');
      await woken;
      expect(seenAtWake).toBe(2);

      const started = Date.now();
      const waited = outbox.signal.wait(300).then(() => Date.now() - started);
      await outbox
        .transaction(async (m) => {
          await outbox.publish(m, 'probe.happened', 'agg-2', {});
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect(await waited).toBeGreaterThanOrEqual(290);
    });
  });

  describe('pending', () => {
    it("answers a consumer's undelivered events oldest first, as envelopes, up to the limit", async () => {
      const ids = [await publish('agg-1'), await publish('agg-2'), await publish('agg-1', 'probe.noted', { n: 3 })];
      const events = await outbox.pending('alpha', 50);
      expect(events.map((e) => e.id)).toEqual(ids);
      expect(events[2]).toEqual({
        id: ids[2],
        name: 'probe.noted',
        producer: 'probe',
        aggregateId: 'agg-1',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        payload: { n: 3 },
      });
      expect(await pendingIds('beta')).toEqual(ids.slice(0, 2));
      expect((await outbox.pending('alpha', 2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect(await outbox.pending('gamma', 50)).toEqual([]);
    });

    it('holds back the later events of an aggregate whose earliest event waits for a retry, for that consumer only', async () => {
      const a1 = await publish('agg-a');
      const b1 = await publish('agg-b');
      const a2 = await publish('agg-a');
      await fail('alpha', a1);
      expect(await pendingIds('alpha')).toEqual([b1]);
      expect(await pendingIds('beta')).toEqual([a1, b1, a2]);
      // Once the retry is due, the aggregate's events come in their order again.
      await ds.query(`UPDATE "probe"."outbox" SET next_attempt_at = now() WHERE event_id = $1`, [a1]);
      expect(await pendingIds('alpha')).toEqual([a1, b1, a2]);
    });
  });

  describe('record', () => {
    it('marks applied and duplicate events delivered for that consumer only; a skipped one stays as it was', async () => {
      const [e1, e2, e3] = [await publish('agg-1'), await publish('agg-2'), await publish('agg-3')];
      const results: DeliveryResult[] = [
        { eventId: e1, outcome: 'applied' },
        { eventId: e2, outcome: 'duplicate' },
        { eventId: e3, outcome: 'skipped' },
      ];
      await outbox.record('alpha', results);
      expect(await pendingIds('alpha')).toEqual([e3]);
      expect(await row('alpha', e3)).toMatchObject({ attempts: 0, delivered: false, last_error: null });
      expect(await pendingIds('beta')).toEqual([e1, e2, e3]);
      expect(await outbox.counts()).toEqual({ pending: 4, parked: 0 });
    });

    it('counts a failed attempt, keeps its error, and backs off exponentially up to the maximum', async () => {
      const id = await publish('agg-1');
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        await fail('alpha', id, `failure ${attempt}`);
        const r = await row('alpha', id);
        expect(r).toMatchObject({ attempts: attempt, delivered: false, parked: false, last_error: `failure ${attempt}` });
        delays.push(r.due_in);
      }
      // 1 s, 2 s, then 4 s capped at retryMaxMs (3 s); a little is lost to the statements in between.
      [1, 2, 3].forEach((expected, i) => {
        expect(delays[i]).toBeGreaterThan(expected - 0.5);
        expect(delays[i]).toBeLessThanOrEqual(expected);
      });
      expect(await pendingIds('alpha')).toEqual([]);
      expect(await row('beta', id)).toMatchObject({ attempts: 0, parked: false });
    });

    it('clears the last error when a retried event is finally delivered', async () => {
      const id = await publish('agg-1');
      await fail('alpha', id);
      await outbox.record('alpha', [{ eventId: id, outcome: 'applied' }]);
      expect(await row('alpha', id)).toMatchObject({ attempts: 1, delivered: true, last_error: null });
      expect(await outbox.counts()).toEqual({ pending: 1, parked: 0 });
    });

    it('parks an event at maxAttempts failures, counts it, and holds its aggregate until it is replayed', async () => {
      const metric = async () =>
        (await eventsParked.get()).values.find((v) => v.labels.producer === 'probe' && v.labels.consumer === 'alpha')?.value ?? 0;
      const parkedBefore = await metric();
      const first = await publish('agg-1');
      const second = await publish('agg-1');
      for (let attempt = 1; attempt < SETTINGS.maxAttempts; attempt++) await fail('alpha', first);
      expect(await row('alpha', first)).toMatchObject({ attempts: SETTINGS.maxAttempts - 1, parked: false });
      expect(await metric()).toBe(parkedBefore);

      await fail('alpha', first, 'still failing');
      expect(await row('alpha', first)).toMatchObject({ attempts: SETTINGS.maxAttempts, parked: true, last_error: 'still failing' });
      expect(await metric()).toBe(parkedBefore + 1);
      expect(await outbox.counts()).toEqual({ pending: 3, parked: 1 });
      // The aggregate's later events wait for the parked one: delivered now, they would be overtaken by it on replay.
      expect(await pendingIds('alpha')).toEqual([]);
      const unrelated = await publish('agg-2');
      expect(await pendingIds('alpha')).toEqual([unrelated]);

      // A late failure report changes nothing more: the event waits for its replay.
      await fail('alpha', first, 'late failure');
      expect(await row('alpha', first)).toMatchObject({
        attempts: SETTINGS.maxAttempts,
        parked: true,
        delivered: false,
        last_error: 'still failing',
      });
      expect(await metric()).toBe(parkedBefore + 1);

      // Replayed, the parked event goes first and the one behind it follows.
      expect(await replayParked(ds, 'probe', first)).toBe(1);
      expect(await pendingIds('alpha')).toEqual([first, second, unrelated]);
    });

    it('resolves a registration waiting for a consumer once that consumer acknowledges, and false after the wait', async () => {
      const id = await publish('agg-1');
      const alpha = outbox.delivered(id, 'alpha', 5000);
      const beta = outbox.delivered(id, 'beta', 100);
      await outbox.record('alpha', [{ eventId: id, outcome: 'duplicate' }]);
      await expect(alpha).resolves.toBe(true);
      await expect(beta).resolves.toBe(false);
      // An acknowledgement by another consumer does not count.
      const again = outbox.delivered(id, 'beta', 100);
      await outbox.record('alpha', [{ eventId: id, outcome: 'applied' }]);
      await expect(again).resolves.toBe(false);
    });
  });

  describe('replayParked', () => {
    async function park(aggregateId: string): Promise<string> {
      const id = await publish(aggregateId);
      for (let attempt = 0; attempt < SETTINGS.maxAttempts; attempt++) await fail('alpha', id);
      return id;
    }

    it('puts one parked event back in line with a fresh count of attempts', async () => {
      const [one, two] = [await park('agg-1'), await park('agg-2')];
      expect(await replayParked(ds, 'probe', one)).toBe(1);
      expect(await row('alpha', one)).toMatchObject({ attempts: 0, parked: false, last_error: null });
      expect((await row('alpha', one)).due_in).toBeLessThanOrEqual(0);
      expect(await row('alpha', two)).toMatchObject({ parked: true });
      expect(await pendingIds('alpha')).toEqual([one]);
    });

    it('puts every parked event back when no id is given, and answers 0 when none is parked', async () => {
      const parked = [await park('agg-1'), await park('agg-2')];
      const delivered = await publish('agg-3');
      await outbox.record('alpha', [{ eventId: delivered, outcome: 'applied' }]);
      expect(await replayParked(ds, 'probe')).toBe(2);
      expect(await pendingIds('alpha')).toEqual(parked);
      expect(await replayParked(ds, 'probe')).toBe(0);
      expect(await replayParked(ds, 'probe', randomUUID())).toBe(0);
      expect(await outbox.counts()).toEqual({ pending: 5, parked: 0 });
    });
  });
});
