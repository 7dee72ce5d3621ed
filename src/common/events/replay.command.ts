import type { Env } from '../config/settings.source.js';
import { type ModuleDescriptor } from '../config/topology.js';
import { ConfigError } from '../config/settings.readers.js';
import { withModuleDatabase } from '../database/module-database.js';
import { replayParked } from './outbox.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `events:replay <module> [event-id]`: puts the module's parked events (or one of them) back in line; the
 * running relay delivers them within its poll interval. With the embedded database, stop the
 * application first (one process at a time). Resolves to the exit code.
 */
export async function replayCommand(env: Env, args: string[], modules: readonly ModuleDescriptor[], out = process.stdout): Promise<number> {
  const [module, eventId] = args;
  const names = modules.map((m) => m.name);
  if (!module || !names.includes(module) || (eventId !== undefined && !UUID.test(eventId))) {
    out.write(`usage: events:replay <${names.join('|')}> [event-id]\n`);
    return 64;
  }
  try {
    const count = await withModuleDatabase(env, module, modules, (ds) => replayParked(ds, module, eventId));
    out.write(`${count} parked event(s) of the ${module} module put back for delivery\n`);
    return 0;
  } catch (err) {
    out.write(`${err instanceof ConfigError ? err.message : `events:replay failed: ${(err as Error).message}`}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
}
