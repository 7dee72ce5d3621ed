import { Counter, Gauge } from 'prom-client';

/** Registered on prom-client's default registry, which GET /metrics exposes. */
export const eventsDelivered = new Counter({
  name: 'events_delivered_total',
  help: 'Events acknowledged by a consumer, by producer, consumer and event',
  labelNames: ['producer', 'consumer', 'event'] as const,
});

export const eventsFailed = new Counter({
  name: 'events_failed_total',
  help: 'Deliveries a consumer answered with an error, by producer, consumer and event',
  labelNames: ['producer', 'consumer', 'event'] as const,
});

export const eventsParked = new Counter({
  name: 'events_parked_total',
  help: 'Events parked after too many failed attempts (replay them with the events:replay command)',
  labelNames: ['producer', 'consumer', 'event'] as const,
});

export const eventsApplied = new Counter({
  name: 'events_applied_total',
  help: 'Events a consumer handled, by consumer, event and outcome (applied, duplicate)',
  labelNames: ['consumer', 'event', 'outcome'] as const,
});

/** Pending and parked events per producer, as the process's EventsRegistry counts them. */
type BacklogSource = () => Promise<Record<string, { pending: number; parked: number }>>;

/** Where the backlog gauge reads the outboxes' counts: the process's EventsRegistry, once it exists. */
let backlogSource: BacklogSource | undefined;

/** Makes every scrape read the outboxes' current counts from `source` (the last one given wins). */
export function readBacklogFrom(source: BacklogSource): void {
  backlogSource = source;
}

/** Set from the outboxes on every scrape: prom-client awaits `collect` before it reads the gauge. */
export const outboxBacklog = new Gauge({
  name: 'events_outbox_events',
  // Every worker of a process reads the same outbox: across workers the value is one, not a sum.
  aggregator: 'max',
  help: "Events in a hosted producer's outbox that are pending delivery or parked",
  labelNames: ['producer', 'state'] as const,
  async collect() {
    const all = (await backlogSource?.().catch(() => undefined)) ?? {};
    for (const [producer, counts] of Object.entries(all)) {
      this.set({ producer, state: 'pending' }, counts.pending);
      this.set({ producer, state: 'parked' }, counts.parked);
    }
  },
});
