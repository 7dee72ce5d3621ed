import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventSettings } from '../config/settings.js';
import type { EventEnvelope, DeliveryResult } from './event.messages.js';
import type { ModuleSession } from '../database/module-session.js';
import { EventSignal } from './event.signal.js';
import { eventsParked } from './events.metrics.js';

interface OutboxRow {
  seq: string | number;
  event_id: string;
  name: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date | string;
  due: boolean;
}

export interface OutboxCounts {
  pending: number;
  parked: number;
}

/** Counts stop here: a probe or a scrape reads at most this many index entries, whatever the backlog. */
export const COUNT_CAP = 100_000;

/** The notification channels through which replicas of a producer tell each other of new and delivered events. */
export const outboxChannels = (producer: string) => ({ written: `mm_outbox_${producer}`, delivered: `mm_delivered_${producer}` });

/** Event ids per delivered notification: PostgreSQL bounds a payload at 8000 bytes. */
const IDS_PER_NOTIFICATION = 150;

/**
 * A producer module's outbox: table `<schema>.outbox`, one row per event and consumer, written in the
 * same transaction as the state change it reports, so an event exists exactly when its change does.
 * The relay and fetching consumers read it here; delivery outcomes are recorded here.
 */
export class Outbox {
  private readonly logger = new Logger('Outbox');
  private readonly table: string;
  private readonly waiters = new Map<string, () => void>();
  readonly signal = new EventSignal();

  /** Whether other processes may share this outbox (PostgreSQL): they hear of its changes by notification. */
  private readonly shared: boolean;

  constructor(
    readonly dataSource: DataSource,
    readonly producer: string,
    /** Consumers by event name. */
    private readonly subscribers: Record<string, string[]>,
    private readonly settings: EventSettings,
    /** The bus deadline: a request never waits for acknowledgements longer than half of it. */
    private readonly deadlineMs = 5000,
  ) {
    this.table = `"${producer}"."outbox"`;
    this.shared = Boolean((dataSource.options as { url?: string }).url);
  }

  /**
   * Runs `work` in a transaction of the producer's database; events it publishes are written with the
   * change and announced to the relay once the transaction has committed.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.signal.notify();
    return result;
  }

  /** Writes an event for every consumer of `name` inside the caller's transaction; returns its id. */
  async publish<P extends object>(
    manager: EntityManager,
    name: string,
    aggregateId: string,
    payload: P,
    id: string = randomUUID(),
  ): Promise<string> {
    if (!name.startsWith(`${this.producer}.`)) throw new Error(`The ${this.producer} module cannot publish ${name}`);
    const consumers = this.subscribers[name] ?? [];
    // An event nobody consumes is a contract without a reader: refuse it rather than store it forever.
    if (!consumers.length) throw new Error(`No module consumes ${name}; declare a consumer or do not publish it`);
    for (const consumer of consumers) {
      await manager.query(
        `INSERT INTO ${this.table} (event_id, consumer, name, aggregate_id, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, now())`,
        [id, consumer, name, aggregateId, JSON.stringify(payload)],
      );
    }
    // Sent when the transaction commits: wakes the relay, wherever it runs.
    if (this.shared) await manager.query('SELECT pg_notify($1, $2)', [outboxChannels(this.producer).written, id]);
    return id;
  }

  /**
   * The next events for `consumer`, oldest first. An aggregate whose earliest undelivered event is
   * waiting for a retry, or is parked, holds back its later events, so one aggregate's events are
   * applied in order: after a replay, the parked event goes first.
   */
  async pending(consumer: string, limit: number): Promise<EventEnvelope[]> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT o.seq, o.event_id, o.name, o.aggregate_id, o.payload, o.occurred_at, o.next_attempt_at <= now() AS due
       FROM ${this.table} o WHERE o.consumer = $1 AND o.delivered_at IS NULL AND o.parked_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM ${this.table} p WHERE p.consumer = o.consumer AND p.aggregate_id = o.aggregate_id
                         AND p.parked_at IS NOT NULL AND p.seq < o.seq)
       ORDER BY o.seq LIMIT $2`,
      [consumer, limit],
    );
    const held = new Set<string>();
    const events: EventEnvelope[] = [];
    for (const row of rows) {
      if (held.has(row.aggregate_id)) continue;
      if (!row.due) {
        held.add(row.aggregate_id);
        continue;
      }
      events.push({
        id: row.event_id,
        name: row.name,
        producer: this.producer,
        aggregateId: row.aggregate_id,
        occurredAt: new Date(row.occurred_at).toISOString(),
        payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
      });
    }
    return events;
  }

  /** Records what became of deliveries to `consumer`: delivered, or one more failed attempt (parked at the limit). */
  async record(consumer: string, results: readonly DeliveryResult[]): Promise<void> {
    const delivered = results.filter((r) => r.outcome === 'applied' || r.outcome === 'duplicate').map((r) => r.eventId);
    if (delivered.length) {
      await this.dataSource.query(
        `UPDATE ${this.table} SET delivered_at = now(), parked_at = NULL, last_error = NULL WHERE consumer = $1 AND event_id = ` +
          `ANY($2::uuid[]) AND delivered_at IS NULL`,
        [consumer, delivered],
      );
      this.acknowledged(consumer, delivered);
      if (this.shared) {
        for (let i = 0; i < delivered.length; i += IDS_PER_NOTIFICATION) {
          const ids = delivered.slice(i, i + IDS_PER_NOTIFICATION).join(',');
          await this.dataSource.query('SELECT pg_notify($1, $2)', [outboxChannels(this.producer).delivered, `${consumer}:${ids}`]);
        }
      }
    }
    for (const failure of results.filter((r) => r.outcome === 'failed')) {
      const [rows]: [Array<{ parked: boolean; name: string }>, number] = await this.dataSource.query(
        `UPDATE ${this.table} SET attempts = attempts + 1, last_error = $3,
           next_attempt_at = now() + make_interval(secs => LEAST($4::float8, $5::float8 * power(2, attempts)) / 1000.0),
           parked_at = CASE WHEN attempts + 1 >= $6 THEN now() END
         WHERE consumer = $1 AND event_id = $2 AND delivered_at IS NULL AND parked_at IS NULL
         RETURNING parked_at IS NOT NULL AS parked, name`,
        [
          consumer,
          failure.eventId,
          (failure.error ?? 'unknown error').slice(0, 500),
          this.settings.retryMaxMs,
          this.settings.retryBackoffMs,
          this.settings.maxAttempts,
        ],
      );
      if (rows[0]?.parked) {
        eventsParked.inc({ producer: this.producer, consumer, event: rows[0].name });
        this.logger.error(
          { eventId: failure.eventId, consumer, error: failure.error },
          'An event kept failing and is parked; replay it once the cause is fixed',
        );
      }
    }
  }

  /** Wakes the requests waiting for these events to reach `consumer`. */
  acknowledged(consumer: string, eventIds: readonly string[]): void {
    for (const id of eventIds) this.waiters.get(`${id}:${consumer}`)?.();
  }

  /** A delivered notification from the replica that relays: `<consumer>:<id>,<id>...`. */
  deliveredElsewhere(payload: string): void {
    const at = payload.indexOf(':');
    if (at > 0) this.acknowledged(payload.slice(0, at), payload.slice(at + 1).split(','));
  }

  /** Resolves true once `consumer` has acknowledged the event (as recorded by any replica), false after `ms`. */
  delivered(eventId: string, consumer: string, ms: number): Promise<boolean> {
    const key = `${eventId}:${consumer}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), ms).unref();
      const finish = (done: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(done);
      };
      this.waiters.set(key, () => finish(true));
    });
  }

  /**
   * Listens, before the transaction that publishes `eventId` commits, for every consumer of `name` to
   * acknowledge it; resolves once they have, or after the settle window (`EVENTS_SETTLE_MS`, at most
   * half the bus deadline). It never fails: a consumer that is away gets the event later.
   */
  settled(eventId: string, name: string): Promise<void> {
    const ms = Math.min(this.settings.settleMs, Math.floor(this.deadlineMs / 2));
    if (ms <= 0) return Promise.resolve();
    return Promise.all((this.subscribers[name] ?? []).map((c) => this.delivered(eventId, c, ms))).then(() => undefined);
  }

  /**
   * Events waiting and parked, each read from its own partial index and capped at COUNT_CAP, so the
   * cost does not grow with the delivered rows (or with a backlog past the cap).
   */
  async counts(): Promise<OutboxCounts> {
    const [row]: Array<{ pending: string | number; parked: string | number }> = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${this.table} WHERE delivered_at IS NULL AND parked_at IS NULL LIMIT $1) p) AS pending,
              (SELECT count(*) FROM (SELECT 1 FROM ${this.table} WHERE parked_at IS NOT NULL LIMIT $1) k) AS parked`,
      [COUNT_CAP],
    );
    return { pending: Number(row.pending), parked: Number(row.parked) };
  }
}

/** Puts parked events of a producer's outbox back in line (all, or one event id); returns how many. */
export async function replayParked(dataSource: DataSource, producer: string, eventId?: string): Promise<number> {
  const [, count]: [unknown, number] = await dataSource.query(
    `UPDATE "${producer}"."outbox" SET parked_at = NULL, attempts = 0, last_error = NULL, next_attempt_at = now()
     WHERE parked_at IS NOT NULL AND ($1::uuid IS NULL OR event_id = $1::uuid)`,
    [eventId ?? null],
  );
  return count;
}

/**
 * Makes this process hear, through its events session, what other processes sharing the outbox do: a
 * new event (written by any replica) wakes this process's relay and the consumers' fetches it holds
 * open; an acknowledgement recorded by the replica that relays answers the requests here that wait for
 * their event to settle.
 */
export function followReplicas(session: ModuleSession, outbox: Outbox): void {
  const channels = outboxChannels(outbox.producer);
  session.listen(channels.written, () => outbox.signal.notify());
  session.listen(channels.delivered, (payload) => outbox.deliveredElsewhere(payload));
}
