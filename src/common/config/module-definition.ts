import type { Type } from '@nestjs/common';
import type { ModuleDescriptor } from './topology.js';

/** What a bounded-context module hands the composition root: its two halves and its place in the topology. */
export interface ModuleDefinition extends ModuleDescriptor {
  /** Handlers, service and data: loaded only where MODULES lists the module. */
  readonly core: Type<unknown>;
  /** HTTP controllers that call the core through its typed client: loaded where API=true. */
  readonly gateway: Type<unknown>;
}
