import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { AfterCommit } from '../identity/credential-copy.js';
import type { ApplyOutcome, EventEnvelope } from './event.messages.js';
import { eventsApplied } from './events.metrics.js';

/** What an event handler gets: the consumer's transaction, and a way to act once it has committed. */
export interface EventTransaction {
  manager: EntityManager;
  afterCommit: AfterCommit;
}

export type EventHandler<P = any> = (event: EventEnvelope<P>, tx: EventTransaction) => Promise<void>;

/**
 * A consumer module's inbox: table `<schema>.inbox`, one row per event id, written in the same
 * transaction as the handler's effect. A redelivered event finds its row and has no second effect.
 */
export class Inbox {
  private readonly logger = new Logger('Inbox');
  private readonly handlers = new Map<string, EventHandler>();
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    readonly consumer: string,
    /** The events the module declared it consumes; each needs exactly one handler. */
    readonly subscriptions: readonly string[],
  ) {
    this.table = `"${consumer}"."inbox"`;
  }

  /** Registers the module's handler of one event it subscribes to. */
  on<P>(event: string, handler: EventHandler<P>): void {
    if (!this.subscriptions.includes(event))
      throw new Error(`The ${this.consumer} module handles ${event} but does not declare it in subscribes`);
    if (this.handlers.has(event)) throw new Error(`The ${this.consumer} module has two handlers for ${event}`);
    this.handlers.set(event, handler);
  }

  /** Fails the boot when a declared subscription has no handler. */
  assertComplete(): void {
    const missing = this.subscriptions.filter((e) => !this.handlers.has(e));
    if (missing.length) throw new Error(`The ${this.consumer} module subscribes to ${missing.join(', ')} without a handler`);
  }

  async apply(event: EventEnvelope): Promise<ApplyOutcome> {
    const handler = this.handlers.get(event.name);
    if (!handler) throw new Error(`The ${this.consumer} module does not consume ${event.name}`);
    const after: Array<() => void> = [];
    const outcome = await this.dataSource.transaction(async (manager): Promise<ApplyOutcome> => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${this.table} (event_id, name, producer) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.id, event.name, event.producer],
      );
      if (!inserted.length) return 'duplicate';
      await handler(event, { manager, afterCommit: (action) => after.push(action) });
      return 'applied';
    });
    for (const action of after) {
      try {
        action();
      } catch (err) {
        this.logger.error({ err, eventId: event.id }, 'An after-commit action of an event handler failed');
      }
    }
    eventsApplied.inc({ consumer: this.consumer, event: event.name, outcome });
    return outcome;
  }
}
