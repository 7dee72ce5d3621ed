import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { busConfig } from '../config/settings.js';
import { BusChannel } from './bus-channel.js';
import { ChannelRegistry } from './channel.registry.js';

/** The bus of this process: one channel per module it calls (the topology says how each is reached). */
@Global()
@Module({
  imports: [ConfigModule.forFeature(busConfig)],
  providers: [ChannelRegistry],
  exports: [ChannelRegistry],
})
export class MessagingModule {}

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
