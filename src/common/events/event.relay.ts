import { Logger } from '@nestjs/common';
import type { ServiceTokens } from '../identity/service-tokens.js';
import type { BusSettings, EventSettings } from '../config/settings.js';
import { BusErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import type { ChannelRegistry } from '../messaging/channel.registry.js';
import { Backoff } from './backoff.js';
import { type DeliverReply, type DeliveryResult, type EventEnvelope, type FetchReply, eventPatterns } from './event.messages.js';
import { eventsDelivered, eventsFailed } from './events.metrics.js';
import type { Inbox } from './inbox.js';
import type { Leadership } from './leadership.js';
import type { Outbox } from './outbox.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A consumer that cannot be reached is not the event's fault: such failures are retried, never parked. */
export function unreachable(err: unknown): boolean {
  return (
    err instanceof DomainError && [BusErrors.UNAVAILABLE.code, BusErrors.TIMEOUT.code, BusErrors.UNKNOWN_PATTERN.code].includes(err.code)
  );
}

const reason = (err: unknown) => (err instanceof DomainError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err));

/** Applies fetched or delivered events in order; after a failure, later events of the same aggregate wait. */
async function applyInOrder(
  events: EventEnvelope[],
  apply: (e: EventEnvelope) => Promise<DeliveryResult['outcome']>,
): Promise<{ results: DeliveryResult[]; stopped?: unknown }> {
  const results: DeliveryResult[] = [];
  const held = new Set<string>();
  for (const event of events) {
    if (held.has(event.aggregateId)) {
      results.push({ eventId: event.id, outcome: 'skipped' });
      continue;
    }
    try {
      results.push({ eventId: event.id, outcome: await apply(event) });
    } catch (err) {
      if (unreachable(err)) return { results, stopped: err };
      held.add(event.aggregateId);
      results.push({ eventId: event.id, outcome: 'failed', error: reason(err) });
    }
  }
  return { results };
}

/** What both loops need besides their peers: the bus, the module's service tokens, settings, and the lead. */
type LoopParts = [channels: ChannelRegistry, serviceTokens: ServiceTokens, settings: EventSettings, leadership: Leadership];

/** Common loop of the two ways events move; stops when the application shuts down. */
abstract class EventLoop {
  protected readonly logger = new Logger(this.constructor.name);
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    /** The modules this loop moves events to or from, one loop each. */
    private readonly peers: string[],
    protected readonly channels: ChannelRegistry,
    protected readonly serviceTokens: ServiceTokens,
    protected readonly settings: EventSettings,
    protected readonly leadership: Leadership,
  ) {}

  /** One round for one peer; resolves true when more work is waiting. */
  protected abstract round(peer: string, backoff: Backoff): Promise<boolean>;
  /** Waits up to `ms` for work; `since` is what `mark()` returned before the round that found none. */
  protected abstract idle(ms: number, since: number): Promise<void>;

  /** Notes where the loop's wake-ups stand before a round, so one that comes during the round is not missed. */
  protected mark(): number {
    return 0;
  }

  /** One loop per peer, so a slow or unreachable peer never holds up another. */
  start(): void {
    this.running = Promise.all(this.peers.map((peer) => this.loop(peer))).then(() => {});
  }

  private async loop(peer: string): Promise<void> {
    const backoff = new Backoff(this.settings.retryBackoffMs, this.settings.retryMaxMs);
    while (!this.stopped) {
      try {
        if (!(await this.leadership.lead())) {
          await this.leadership.waitForChance(this.settings.pollMs);
          continue;
        }
        const since = this.mark();
        if (backoff.ready && (await this.round(peer, backoff))) continue;
        if (this.stopped) break;
        await this.idle(backoff.ready ? this.settings.pollMs : Math.min(this.settings.pollMs, backoff.remainingMs), since);
      } catch (err) {
        this.logger.warn({ err, peer }, 'An event delivery round failed; retrying');
        // The lead is proven again before the next round: the failure may have been its session.
        this.leadership.doubt();
        await sleep(this.settings.pollMs);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    await this.leadership.resign();
  }

  protected wake(): void {}
}

/** The producer side: delivers a hosted module's events to every consumer it can reach, and waits for each acknowledgement. */
export class EventRelay extends EventLoop {
  constructor(
    private readonly outbox: Outbox,
    targets: string[],
    ...rest: LoopParts
  ) {
    super(targets, ...rest);
  }

  protected override mark(): number {
    return this.outbox.signal.generation;
  }

  protected idle(ms: number, since: number): Promise<void> {
    return this.outbox.signal.wait(ms, since);
  }

  protected override wake(): void {
    this.outbox.signal.notify();
  }

  protected async round(consumer: string, backoff: Backoff): Promise<boolean> {
    const events = await this.outbox.pending(consumer, this.settings.batchSize);
    if (!events.length) return false;
    const channel = this.channels.channel(consumer);
    const { deliver } = eventPatterns(consumer);
    const { results, stopped } = await applyInOrder(events, async (event) => {
      const reply = await this.serviceTokens.run(this.outbox.producer, () => channel.send<DeliverReply>(deliver, { event }));
      return reply.outcome;
    });
    await this.outbox.record(consumer, results);
    count(this.outbox.producer, consumer, events, results);
    if (stopped) {
      backoff.fail();
      return false;
    }
    backoff.succeed();
    return events.length === this.settings.batchSize;
  }
}

/** The consumer side, for a module reachable only in its own process: fetches events from producers elsewhere. */
export class EventPuller extends EventLoop {
  constructor(
    private readonly inbox: Inbox,
    sources: string[],
    private readonly bus: BusSettings,
    ...rest: LoopParts
  ) {
    super(sources, ...rest);
  }

  protected idle(ms: number): Promise<void> {
    return sleep(ms);
  }

  protected async round(producer: string, backoff: Backoff): Promise<boolean> {
    const consumer = this.inbox.consumer;
    const channel = this.channels.channel(producer);
    const patterns = eventPatterns(producer);
    // The producer holds the fetch open until an event arrives, well within the bus deadline.
    const waitMs = Math.min(this.settings.longPollMs, Math.floor(this.bus.deadlineMs / 2));
    let events: EventEnvelope[];
    try {
      ({ events } = await this.serviceTokens.run(consumer, () =>
        channel.send<FetchReply>(patterns.fetch, { consumer, limit: this.settings.batchSize, waitMs }, { idempotent: true }),
      ));
    } catch (err) {
      if (!unreachable(err)) this.logger.warn({ err, producer }, 'Fetching events failed');
      backoff.fail();
      return false;
    }
    backoff.succeed();
    if (!events.length) return waitMs > 0;
    const { results } = await applyInOrder(events, (event) => this.inbox.apply(event));
    await this.serviceTokens.run(consumer, () => channel.send(patterns.ack, { consumer, results }));
    count(producer, consumer, events, results);
    return true;
  }
}

function count(producer: string, consumer: string, events: EventEnvelope[], results: DeliveryResult[]): void {
  const names = new Map(events.map((e) => [e.id, e.name]));
  for (const r of results) {
    const labels = { producer, consumer, event: names.get(r.eventId) ?? 'unknown' };
    if (r.outcome === 'applied' || r.outcome === 'duplicate') eventsDelivered.inc(labels);
    if (r.outcome === 'failed') eventsFailed.inc(labels);
  }
}
