import type { Type } from '@nestjs/common';
import type { Env } from './settings.source.js';
import type { ModuleDescriptor } from './topology.js';

/** What a bounded-context module hands the composition root: its two halves and its place in the topology. */
export interface ModuleDefinition extends ModuleDescriptor {
  /** Handlers, service, data and events: loaded only where MODULES lists the module. */
  readonly core: Type<unknown>;
  /** HTTP controllers that call the core through its typed client: loaded where API=true. */
  readonly gateway: Type<unknown>;
  /** Reads (and so validates) the module's own settings; run at boot in every process. */
  readonly settings?: (env: Env) => object;
  /** Operator commands the module offers (`node dist/src/cli.js <name> ...`); each resolves to an exit code. */
  readonly commands?: Record<string, ModuleCommand>;
  /** The migrations of the module's schema, oldest first, as its core runs them (none: it keeps no data). */
  readonly migrations?: readonly Function[];
}

export type ModuleCommand = (env: Env, args: string[], modules: readonly ModuleDescriptor[]) => Promise<number>;

