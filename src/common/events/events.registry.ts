import { Injectable } from '@nestjs/common';
import { readBacklogFrom } from './events.metrics.js';
import type { Outbox, OutboxCounts } from './outbox.js';

/** The outboxes of the producers this process hosts, for readiness details and metrics. */
@Injectable()
export class EventsRegistry {
  private readonly outboxes = new Map<string, Outbox>();

  constructor() {
    readBacklogFrom(() => this.counts());
  }

  add(outbox: Outbox): void {
    this.outboxes.set(outbox.producer, outbox);
  }

  async counts(): Promise<Record<string, OutboxCounts>> {
    const entries = await Promise.all([...this.outboxes].map(async ([name, o]) => [name, await o.counts()] as const));
    return Object.fromEntries(entries);
  }
}
