import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { ClientProxy } from '@nestjs/microservices';
import { busConfig } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { RequestContextStore } from '../context/request-context.js';
import { injectTraceContext } from '../observability/bus.tracing.js';
import { BusChannel } from './bus-channel.js';
import { createClientProxy } from './transports.factory.js';

/** Every packet the proxy sends carries the caller's correlation id, identity and the W3C trace context of the send's span. */
export function carryRequestContext(proxy: ClientProxy): void {
  proxy.setOnDispatchHook((packet) => {
    packet.metadata = injectTraceContext(RequestContextStore.toMetadata());
  });
}

/** One channel per target module per process, shared by every client of that module. */
@Injectable()
export class ChannelRegistry implements OnApplicationShutdown {
  private readonly channels = new Map<string, BusChannel>();

  constructor(
    @Inject(TOPOLOGY) private readonly topology: Topology,
    @Inject(busConfig.KEY) private readonly settings: ConfigType<typeof busConfig>,
  ) {}

  channel(target: string): BusChannel {
    let channel = this.channels.get(target);
    if (!channel) {
      const endpoint = this.topology.modules[target];
      if (!endpoint) throw new Error(`No module named "${target}" in the topology`);
      const proxy = createClientProxy(endpoint, this.topology.namespace, this.settings.deadlineMs);
      carryRequestContext(proxy);
      channel = new BusChannel(target, proxy, this.settings, endpoint.transport);
      this.channels.set(target, channel);
    }
    return channel;
  }

  all(): BusChannel[] {
    return [...this.channels.values()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((c) => c.close()));
  }
}
