import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { ServiceTokens } from '../identity/service-tokens.js';
import { busConfig, eventsConfig, retentionConfig } from '../config/settings.js';
import { RetentionSchedule } from '../database/retention.js';
import type { Topology } from '../config/topology.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { EventPuller, EventRelay } from './event.relay.js';
import { eventHandlersFor } from './events.handlers.js';
import { EventsRegistry } from './events.registry.js';
import { Inbox } from './inbox.js';
import { ModuleSession } from '../database/module-session.js';
import { Leadership } from './leadership.js';
import { followReplicas, Outbox } from './outbox.js';

const EVENTS_MODULE = Symbol('events:module');

/** Starts a module's relay (to consumers it can reach) and puller (from producers it must fetch from). */
@Injectable()
class EventMovers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly movers: Array<EventRelay | EventPuller> = [];
  private session: ModuleSession | undefined;

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
    private readonly retention: RetentionSchedule,
    @Inject(retentionConfig.KEY) private readonly kept: ConfigType<typeof retentionConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.inbox.assertComplete();
    this.registry.add(this.outbox);
    // On PostgreSQL other processes may host this module too: the lead and the news go through its session.
    this.session = ModuleSession.of(this.outbox.dataSource, this.module);
    if (this.session) this.follow(this.session);
    const targets = this.topology.pushTargets[this.module] ?? [];
    const sources = this.topology.pullSources[this.module] ?? [];
    const timing = { retryMs: this.settings.leaderRetryMs, checkMs: this.settings.leaderCheckMs };
    this.movers.push(
      new EventRelay(
        this.outbox,
        targets,
        this.channels,
        this.serviceTokens,
        this.settings,
        new Leadership(this.session, `events:relay:${this.module}`, timing),
      ),
      new EventPuller(
        this.inbox,
        sources,
        this.bus,
        this.channels,
        this.serviceTokens,
        this.settings,
        new Leadership(this.session, `events:fetch:${this.module}`, timing),
      ),
    );
    this.movers.forEach((m) => m.start());
    const ds = this.outbox.dataSource;
    const olderThan = (column: string) => `${column} < now() - make_interval(secs => $1::float8 / 1000.0)`;
    this.retention.add(ds, { table: `"${this.module}"."outbox"`, where: olderThan('delivered_at'), params: [this.kept.outboxMs] });
    this.retention.add(ds, { table: `"${this.module}"."inbox"`, where: olderThan('received_at'), params: [this.kept.inboxMs] });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.movers.map((m) => m.stop()));
    await this.session?.close();
  }

  /** Hears what the module's other processes do with its outbox. */
  private follow(session: ModuleSession): void {
    followReplicas(session, this.outbox);
    // A producer whose events someone consumes listens from the start; otherwise the session opens when first needed.
    if (Object.keys(this.topology.subscribers).some((event) => event.startsWith(`${this.module}.`))) {
      session.connect().catch(() => undefined);
    }
  }
}

/**
 * Durable events for one module core: its outbox (events it produces), its inbox (events it consumes,
 * applied once), the handlers through which they move, and the loops that move them.
 */
@Module({})
export class EventsModule {
  /**
   * Once per process: the registry of the outboxes its cores keep, which readiness and metrics read
   * even in a process that hosts no module.
   */
  static forRoot(): DynamicModule {
    return { module: EventsModule, global: true, providers: [EventsRegistry], exports: [EventsRegistry] };
  }

  static forModule(name: string): DynamicModule {
    return {
      module: EventsModule,
      imports: [
        IdentityModule.tokens(),
        ConfigModule.forFeature(eventsConfig),
        ConfigModule.forFeature(busConfig),
        ConfigModule.forFeature(retentionConfig),
      ],
      controllers: [eventHandlersFor(name)],
      providers: [
        // A plain value, so Nest tells two modules' instances apart (it identifies dynamic modules by their metadata).
        { provide: EVENTS_MODULE, useValue: name },
        {
          provide: Outbox,
          inject: [getDataSourceToken(name), TOPOLOGY, eventsConfig.KEY, busConfig.KEY, EVENTS_MODULE],
          useFactory: (
            ds: DataSource,
            topology: Topology,
            settings: ConfigType<typeof eventsConfig>,
            bus: ConfigType<typeof busConfig>,
            module: string,
          ) => new Outbox(ds, module, topology.subscribers, settings, bus.deadlineMs),
        },
        {
          provide: Inbox,
          inject: [getDataSourceToken(name), TOPOLOGY, EVENTS_MODULE],
          useFactory: (ds: DataSource, topology: Topology, module: string) =>
            new Inbox(
              ds,
              module,
              Object.keys(topology.subscribers).filter((e) => topology.subscribers[e].includes(module)),
            ),
        },
        EventMovers,
      ],
      exports: [Outbox, Inbox],
    };
  }
}
