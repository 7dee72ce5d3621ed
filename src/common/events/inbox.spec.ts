import 'reflect-metadata';
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openEventTablesDatabase } from '../../../test/support/unit-helpers.js';
import { closeEmbeddedDatabases } from '../database/pglite.pool.js';
import type { EventEnvelope } from './event.messages.js';
import { Inbox } from './inbox.js';

/** The effect the spec's handler has: one row per applied event, in a table of the consumer's schema. */
const EFFECTS = '"probe"."effects"';

const envelope = (name = 'other.happened', payload: Record<string, unknown> = { n: 1 }): EventEnvelope => ({
  id: randomUUID(),
  name,
  producer: name.split('.')[0],
  aggregateId: 'agg-1',
  occurredAt: new Date().toISOString(),
  payload,
});

describe('Inbox', () => {
  let ds: DataSource;
  let inbox: Inbox;
  /** What the handler does after writing its effect: nothing, or fail. */
  let afterEffect: () => void;
  /** What happened, in order: the handler's end, transaction commits, after-commit actions. */
  let log: string[];

  beforeAll(async () => {
    ds = await openEventTablesDatabase('probe');
    await ds.query(`CREATE TABLE ${EFFECTS} (event_id uuid NOT NULL, n integer NOT NULL)`);
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE "probe"."inbox", ${EFFECTS}`);
    afterEffect = () => {};
    log = [];
    inbox = new Inbox(ds, 'probe', ['other.happened', 'other.noted']);
    inbox.on<{ n: number }>('other.happened', async (event, tx) => {
      await tx.manager.query(`INSERT INTO ${EFFECTS} (event_id, n) VALUES ($1, $2)`, [event.id, event.payload.n]);
      tx.afterCommit(() => log.push(`after-commit ${event.payload.n}`));
      afterEffect();
      log.push(`handled ${event.payload.n}`);
    });
    inbox.on('other.noted', async () => {});
  });

  const count = async (table: string) => Number((await ds.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  /** Logs every commit of the consumer's database, as it completes. */
  function logCommits(): void {
    const create = ds.createQueryRunner.bind(ds);
    jest.spyOn(ds, 'createQueryRunner').mockImplementation((...args) => {
      const runner = create(...args);
      const commit = runner.commitTransaction.bind(runner);
      runner.commitTransaction = async () => {
        await commit();
        log.push('commit');
      };
      return runner;
    });
  }

  afterEach(() => jest.restoreAllMocks());

  it('applies an event once: its inbox row and its effect', async () => {
    const event = envelope();
    expect(await inbox.apply(event)).toBe('applied');
    expect(await ds.query(`SELECT event_id, name, producer FROM "probe"."inbox"`)).toEqual([
      { event_id: event.id, name: 'other.happened', producer: 'other' },
    ]);
    expect(await ds.query(`SELECT event_id, n FROM ${EFFECTS}`)).toEqual([{ event_id: event.id, n: 1 }]);
  });

  it('answers a redelivered event as a duplicate, without a second effect or after-commit action', async () => {
    const event = envelope();
    await inbox.apply(event);
    expect(await inbox.apply({ ...event, payload: { n: 2 } })).toBe('duplicate');
    expect(await ds.query(`SELECT n FROM ${EFFECTS}`)).toEqual([{ n: 1 }]);
    expect(log).toEqual(['handled 1', 'after-commit 1']);
    // Another event is applied as usual.
    expect(await inbox.apply(envelope())).toBe('applied');
    expect(await count(EFFECTS)).toBe(2);
  });

  it('applies concurrent deliveries of one event once', async () => {
    const event = envelope();
    const outcomes = await Promise.all([inbox.apply(event), inbox.apply(event), inbox.apply(event)]);
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(await count(EFFECTS)).toBe(1);
  });

  it('rolls back both the inbox row and the effect when the handler fails, so a redelivery applies it', async () => {
    const event = envelope();
    afterEffect = () => {
      throw new Error('the handler failed after writing');
    };
    logCommits();
    await expect(inbox.apply(event)).rejects.toThrow('the handler failed after writing');
    expect(await count('"probe"."inbox"')).toBe(0);
    expect(await count(EFFECTS)).toBe(0);
    expect(log).toEqual([]);

    afterEffect = () => {};
    expect(await inbox.apply(event)).toBe('applied');
    expect(await count(EFFECTS)).toBe(1);
  });

  it('runs after-commit actions only once the effect and the inbox row are committed', async () => {
    logCommits();
    await inbox.apply(envelope('other.happened', { n: 7 }));
    expect(log).toEqual(['handled 7', 'commit', 'after-commit 7']);
  });

  it('keeps the applied event when an after-commit action throws', async () => {
    inbox = new Inbox(ds, 'probe', ['other.happened']);
    inbox.on('other.happened', async (event, tx) => {
      await tx.manager.query(`INSERT INTO ${EFFECTS} (event_id, n) VALUES ($1, 1)`, [event.id]);
      tx.afterCommit(() => {
        throw new Error('memory could not follow');
      });
    });
    expect(await inbox.apply(envelope())).toBe('applied');
    expect(await count(EFFECTS)).toBe(1);
  });

  it('refuses an event the module did not subscribe to, and a second handler or an undeclared one at registration', async () => {
    await expect(inbox.apply(envelope('other.unheard'))).rejects.toThrow('The probe module does not consume other.unheard');
    expect(await count('"probe"."inbox"')).toBe(0);
    expect(() => inbox.on('other.happened', async () => {})).toThrow('The probe module has two handlers for other.happened');
    expect(() => inbox.on('other.unheard', async () => {})).toThrow(
      'The probe module handles other.unheard but does not declare it in subscribes',
    );
  });

  it('fails the boot when a declared subscription has no handler', () => {
    const incomplete = new Inbox(ds, 'probe', ['other.happened', 'other.noted']);
    incomplete.on('other.happened', async () => {});
    expect(() => incomplete.assertComplete()).toThrow('The probe module subscribes to other.noted without a handler');
    expect(() => inbox.assertComplete()).not.toThrow();
  });
});
