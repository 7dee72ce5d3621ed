import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventSettings } from '../config/settings.js';
import type { EventEnvelope, DeliveryResult } from './event.messages.js';
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
  async publish<P extends object>(manager: EntityManager, name: string, aggregateId: string, payload: P, id: string = randomUUID()): Promise<string> {
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
    return id;
  }

  /**
   * The next events for `consumer`, oldest first. An aggregate whose earliest undelivered event is
   * waiting for a retry holds back its later events, so one aggregate's events are applied in order.
   */
  async pending(consumer: string, limit: number): Promise<EventEnvelope[]> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT seq, event_id, name, aggregate_id, payload, occurred_at, next_attempt_at <= now() AS due
       FROM ${this.table} WHERE consumer = $1 AND delivered_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT $2`,
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
        id: row.event_id, name: row.name, producer: this.producer, aggregateId: row.aggregate_id,
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
        `UPDATE ${this.table} SET delivered_at = now(), parked_at = NULL, last_error = NULL WHERE consumer = $1 AND event_id = ANY($2::uuid[]) AND delivered_at IS NULL`,
        [consumer, delivered],
      );
      for (const id of delivered) this.waiters.get(`${id}:${consumer}`)?.();
    }
    for (const failure of results.filter((r) => r.outcome === 'failed')) {
      const [rows]: [Array<{ parked: boolean; name: string }>, number] = await this.dataSource.query(
        `UPDATE ${this.table} SET attempts = attempts + 1, last_error = $3,
           next_attempt_at = now() + make_interval(secs => LEAST($4::float8, $5::float8 * power(2, attempts)) / 1000.0),
           parked_at = CASE WHEN attempts + 1 >= $6 THEN now() END
         WHERE consumer = $1 AND event_id = $2 AND delivered_at IS NULL AND parked_at IS NULL
         RETURNING parked_at IS NOT NULL AS parked, name`,
        [consumer, failure.eventId, (failure.error ?? 'unknown error').slice(0, 500), this.settings.retryMaxMs,
          this.settings.retryBackoffMs, this.settings.maxAttempts],
      );
      if (rows[0]?.parked) {
        eventsParked.inc({ producer: this.producer, consumer, event: rows[0].name });
        this.logger.error({ eventId: failure.eventId, consumer, error: failure.error }, 'An event kept failing and is parked; replay it once the cause is fixed');
      }
    }
  }

  /** Resolves true once `consumer` has acknowledged the event (as recorded by this process), false after `ms`. */
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

  async counts(): Promise<OutboxCounts> {
    const [row]: Array<{ pending: string | number; parked: string | number }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS pending,
              count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked FROM ${this.table}`,
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
