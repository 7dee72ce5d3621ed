import type { TestDatabase } from './test-database.js';

/** Who sends which events to whom (docs/contracts.md, "Events"). */
const STREAMS = [
  ['auth', 'users'],
  ['auth', 'orders'],
  ['users', 'orders'],
  ['users', 'auth'],
] as const;

export interface EventStream {
  stream: string;
  /** Outbox rows the producer wrote for this consumer. */
  written: number;
  /** Inbox rows of the consumer from this producer: one per event applied. */
  applied: number;
  /** Outbox rows for this consumer not acknowledged yet. */
  undelivered: number;
}

/** Every producer-consumer stream, counted from the data: an event applied exactly once is one outbox row and one inbox row. */
export async function eventStreams(db: TestDatabase): Promise<EventStream[]> {
  const streams: EventStream[] = [];
  for (const [producer, consumer] of STREAMS) {
    const [row] = await db.query<{ written: string; applied: string; undelivered: string }>(
      `SELECT (SELECT count(*) FROM "${producer}".outbox WHERE consumer = $1) AS written,
              (SELECT count(*) FROM "${consumer}".inbox WHERE producer = $2) AS applied,
              (SELECT count(*) FROM "${producer}".outbox WHERE consumer = $1 AND delivered_at IS NULL) AS undelivered`,
      [consumer, producer],
    );
    streams.push({
      stream: `${producer}->${consumer}`,
      written: Number(row.written),
      applied: Number(row.applied),
      undelivered: Number(row.undelivered),
    });
  }
  return streams;
}
