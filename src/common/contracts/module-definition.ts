import type { Type } from '@nestjs/common';
import type { MigrationClass } from '../database/database.module.js';
import type { ModuleContract, Operation } from './operation.js';
import type { Env } from '../config/settings.source.js';
import type { ModuleDescriptor } from '../config/topology.js';

/** What a bounded-context module hands the composition root: its two halves and its place in the topology. */
export interface ModuleDefinition extends ModuleDescriptor {
  /** Handlers, service, data and events: loaded only where MODULES lists the module. */
  readonly core: Type<unknown>;
  /** HTTP controllers that call the core through its typed client: loaded where API=true. */
  readonly gateway: Type<unknown>;
  /** Reads (and so validates) the module's own settings; run at boot in every process. */
  readonly settings?: (env: Env) => object;
  /** The operations the module serves and the events it publishes (its contracts/, as data). */
  readonly contract: ModuleContract;
  /** The operations of other modules its core calls; `calls` names their modules (`modulesCalled`). */
  readonly uses: readonly Operation<any, any>[];
  /** Operator commands the module offers (`node dist/src/cli.js <name> ...`); each resolves to an exit code. */
  readonly commands?: Record<string, ModuleCommand>;
  /** The migrations of the module's schema, oldest first, as its core runs them (none: it keeps no data). */
  readonly migrations?: readonly MigrationClass[];
}

export type ModuleCommand = (env: Env, args: string[], modules: readonly ModuleDescriptor[]) => Promise<number>;

/** The modules whose operations `uses` lists, each once: a module definition's `calls`. */
export function modulesCalled(uses: readonly Operation<any, any>[]): string[] {
  return [...new Set(uses.map((operation) => operation.module))];
}
