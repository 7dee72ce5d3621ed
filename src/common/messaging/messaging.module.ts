import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { busConfig } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { BusChannel } from './bus-channel.js';
import { ChannelRegistry, TOPOLOGY } from './channel.registry.js';
import { EventsRegistry } from '../events/events.registry.js';

@Global()
@Module({})
export class MessagingModule {
  static forRoot(topology: Topology): DynamicModule {
    return {
      module: MessagingModule,
      imports: [ConfigModule.forFeature(busConfig)],
      providers: [{ provide: TOPOLOGY, useValue: topology }, ChannelRegistry, EventsRegistry],
      exports: [TOPOLOGY, ChannelRegistry, EventsRegistry],
    };
  }
}

/** Provides a module's typed client (a class taking its BusChannel) to whoever imports this. */
@Module({})
export class BusClientModule {
  static register(target: string, client: Type<unknown> & (new (channel: BusChannel) => unknown)): DynamicModule {
    return {
      module: BusClientModule,
      providers: [{ provide: client, useFactory: (r: ChannelRegistry) => new client(r.channel(target)), inject: [ChannelRegistry] }],
      exports: [client],
    };
  }
}
