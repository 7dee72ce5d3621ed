import { Inject, Type } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityErrors } from '../identity/identity.errors.js';
import { TokenVerifier } from '../identity/token.verifier.js';
import { MetadataKeys } from '../context/request-context.js';
import { DomainError } from '../errors/domain-error.js';
import { MessageHandlers } from '../messaging/message-handlers.decorator.js';
import { AckRequest, DeliverRequest, type DeliverReply, eventPatterns, FetchRequest, type FetchReply } from './event.messages.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';

type RpcContextLike = { getMetadata?: () => Record<string, unknown> | undefined };

/**
 * The message handlers through which a module's events move: `<m>.events.deliver` (a producer's relay
 * hands this module an event), `<m>.events.fetch` and `<m>.events.ack` (a consumer elsewhere takes this
 * module's events). Only modules call them, each with its own service token, and each only for itself.
 */
export function eventHandlersFor(module: string): Type<unknown> {
  const patterns = eventPatterns(module);

  @MessageHandlers()
  class EventHandlers {
    constructor(
      @Inject(Inbox) private readonly inbox: Inbox,
      @Inject(Outbox) private readonly outbox: Outbox,
      @Inject(TokenVerifier) private readonly tokens: TokenVerifier,
    ) {}

    @MessagePattern(patterns.deliver)
    async deliver(@Payload() { event }: DeliverRequest, @Ctx() context: RpcContextLike): Promise<DeliverReply> {
      this.requireModule(context, event.producer);
      if (!this.inbox.subscriptions.includes(event.name)) {
        throw new DomainError(IdentityErrors.FORBIDDEN, `The ${module} module does not consume ${event.name}`);
      }
      return { outcome: await this.inbox.apply(event) };
    }

    @MessagePattern(patterns.fetch)
    async fetch(@Payload() { consumer, limit, waitMs }: FetchRequest, @Ctx() context: RpcContextLike): Promise<FetchReply> {
      this.requireModule(context, consumer);
      const since = this.outbox.signal.generation;
      let events = await this.outbox.pending(consumer, limit);
      if (!events.length && waitMs > 0) {
        await this.outbox.signal.wait(waitMs, since);
        events = await this.outbox.pending(consumer, limit);
      }
      return { events };
    }

    @MessagePattern(patterns.ack)
    async ack(@Payload() { consumer, results }: AckRequest, @Ctx() context: RpcContextLike): Promise<{ recorded: number }> {
      this.requireModule(context, consumer);
      await this.outbox.record(consumer, results);
      return { recorded: results.length };
    }

    /** The caller must be the named module, proven by its service token in the packet metadata. */
    private requireModule(context: RpcContextLike, name: string): void {
      const authorization = context.getMetadata?.()?.[MetadataKeys.AUTHORIZATION];
      const caller = this.tokens.identify(typeof authorization === 'string' ? authorization : undefined, ['service']);
      if (caller.kind !== 'service' || caller.service !== name) {
        throw new DomainError(IdentityErrors.FORBIDDEN, `Only the ${name} module may do this`);
      }
    }
  }

  Object.defineProperty(EventHandlers, 'name', { value: `${module[0].toUpperCase()}${module.slice(1)}EventHandlers` });
  return EventHandlers;
}
