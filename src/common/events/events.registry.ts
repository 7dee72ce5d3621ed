import { Injectable } from '@nestjs/common';
import type { Outbox, OutboxCounts } from './outbox.js';
import { outboxBacklog } from './events.metrics.js';

/** The outboxes of the producers this process hosts, for readiness details and metrics. */
@Injectable()
export class EventsRegistry {
  private readonly outboxes = new Map<string, Outbox>();

  constructor() {
    // prom-client awaits this on every scrape, so the gauges always show the outboxes' current state.
    (outboxBacklog as unknown as { collect?: () => Promise<void> }).collect = async () => {
      const all = await this.counts().catch(() => ({}) as Record<string, OutboxCounts>);
      for (const [producer, counts] of Object.entries(all)) {
        outboxBacklog.set({ producer, state: 'pending' }, counts.pending);
        outboxBacklog.set({ producer, state: 'parked' }, counts.parked);
      }
    };
  }

  add(outbox: Outbox): void {
    this.outboxes.set(outbox.producer, outbox);
  }

  async counts(): Promise<Record<string, OutboxCounts>> {
    const entries = await Promise.all([...this.outboxes].map(async ([name, o]) => [name, await o.counts()] as const));
    return Object.fromEntries(entries);
  }
}
