import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IdentityModule } from '../auth/identity.module.js';
import { ServiceTokens } from '../auth/service-tokens.js';
import { busConfig, eventsConfig } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { ChannelRegistry, TOPOLOGY } from '../messaging/channel.registry.js';
import { EventPuller, EventRelay } from './event.relay.js';
import { eventHandlersFor } from './events.handlers.js';
import { EventsRegistry } from './events.registry.js';
import { Inbox } from './inbox.js';
import { Leadership } from './leadership.js';
import { Outbox } from './outbox.js';

const EVENTS_MODULE = Symbol('events:module');

/** Starts a module's relay (to consumers it can reach) and puller (from producers it must fetch from). */
@Injectable()
class EventMovers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly movers: Array<EventRelay | EventPuller> = [];

  constructor(
    @Inject(EVENTS_MODULE) private readonly module: string,
    @Inject(TOPOLOGY) private readonly topology: Topology,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    private readonly channels: ChannelRegistry,
    private readonly serviceTokens: ServiceTokens,
    private readonly registry: EventsRegistry,
    @Inject(eventsConfig.KEY) private readonly settings: ConfigType<typeof eventsConfig>,
    @Inject(busConfig.KEY) private readonly bus: ConfigType<typeof busConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.inbox.assertComplete();
    this.registry.add(this.outbox);
    const ds = this.outbox.dataSource;
    const targets = this.topology.pushTargets[this.module] ?? [];
    const sources = this.topology.pullSources[this.module] ?? [];
    this.movers.push(
      new EventRelay(this.outbox, targets, this.channels, this.serviceTokens, this.settings, new Leadership(ds, `events:relay:${this.module}`)),
      new EventPuller(this.inbox, sources, this.bus, this.channels, this.serviceTokens, this.settings, new Leadership(ds, `events:fetch:${this.module}`)),
    );
    this.movers.forEach((m) => m.start());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.movers.map((m) => m.stop()));
  }
}

/**
 * Durable events for one module core: its outbox (events it produces), its inbox (events it consumes,
 * applied once), the handlers through which they move, and the loops that move them.
 */
@Module({})
export class EventsModule {
  static forModule(name: string): DynamicModule {
    return {
      module: EventsModule,
      imports: [IdentityModule.tokens(), ConfigModule.forFeature(eventsConfig), ConfigModule.forFeature(busConfig)],
      controllers: [eventHandlersFor(name)],
      providers: [
        // A plain value, so Nest tells two modules' instances apart (it identifies dynamic modules by their metadata).
        { provide: EVENTS_MODULE, useValue: name },
        {
          provide: Outbox,
          inject: [getDataSourceToken(name), TOPOLOGY, eventsConfig.KEY, busConfig.KEY, EVENTS_MODULE],
          useFactory: (ds: DataSource, topology: Topology, settings: ConfigType<typeof eventsConfig>, bus: ConfigType<typeof busConfig>, module: string) =>
            new Outbox(ds, module, topology.subscribers, settings, bus.deadlineMs),
        },
        {
          provide: Inbox,
          inject: [getDataSourceToken(name), TOPOLOGY, EVENTS_MODULE],
          useFactory: (ds: DataSource, topology: Topology, module: string) =>
            new Inbox(ds, module, Object.keys(topology.subscribers).filter((e) => topology.subscribers[e].includes(module))),
        },
        EventMovers,
      ],
      exports: [Outbox, Inbox],
    };
  }
}
