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

/** Set from the outboxes on every scrape. */
export const outboxBacklog = new Gauge({
  name: 'events_outbox_events',
  // Every worker of a process reads the same outbox: across workers the value is one, not a sum.
  aggregator: 'max',
  help: "Events in a hosted producer's outbox that are pending delivery or parked",
  labelNames: ['producer', 'state'] as const,
});
