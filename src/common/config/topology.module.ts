import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Topology } from './topology.js';

/** Injects this process's Topology: read and validated at boot, before the application is built. */
export const TOPOLOGY = Symbol('TOPOLOGY');

/**
 * Provides the topology to every layer that needs it (the bus, the databases, events, health), so none
 * of them depends on another's module for it.
 */
@Global()
@Module({})
export class TopologyModule {
  static forRoot(topology: Topology): DynamicModule {
    return { module: TopologyModule, providers: [{ provide: TOPOLOGY, useValue: topology }], exports: [TOPOLOGY] };
  }
}
