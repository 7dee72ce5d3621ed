import type { ModuleDefinition } from './module-definition.js';
import { TRANSPORT_KINDS } from '../config/topology.js';
import type { EventContract, Operation } from './operation.js';

/**
 * The transports a module can be moved onto by configuration. NATS (a queue group per module, for
 * replicas) is listed with the ones the topology reads today; the set keeps each name once.
 */
export const SUPPORTED_TRANSPORTS: readonly string[] = [...new Set<string>([...TRANSPORT_KINDS, 'nats'])];

/** One module as the docs and the module map show it, read from its definition and its contracts. */
export interface CatalogueModule {
  readonly name: string;
  readonly operations: readonly Operation<any, any>[];
  readonly publishes: readonly EventContract<any>[];
  readonly uses: readonly Operation<any, any>[];
  readonly subscribes: readonly string[];
  readonly transports: readonly string[];
}

export interface Catalogue {
  readonly modules: readonly CatalogueModule[];
  /** Every declared event with the modules that consume it. */
  readonly events: ReadonlyArray<{ readonly event: EventContract<any>; readonly consumers: readonly string[] }>;
}

/** Reads every module's declarations; an event consumed but declared by nobody is an error. */
export function catalogueOf(definitions: readonly ModuleDefinition[]): Catalogue {
  const modules = definitions.map((d) => ({
    name: d.name,
    operations: Object.values(d.contract.operations),
    publishes: Object.values(d.contract.events),
    uses: d.uses,
    subscribes: d.subscribes,
    transports: SUPPORTED_TRANSPORTS,
  }));
  const declared = new Set(modules.flatMap((m) => m.publishes.map((e) => e.name)));
  for (const m of modules) {
    for (const name of m.subscribes)
      if (!declared.has(name)) throw new Error(`${m.name} consumes ${name}, which no module's contracts declare`);
  }
  const events = modules
    .flatMap((m) => m.publishes)
    .map((event) => ({
      event,
      consumers: modules.filter((m) => m.subscribes.includes(event.name)).map((m) => m.name),
    }));
  return { modules, events };
}
