import { DataSource } from 'typeorm';
import type { Env } from '../config/env.js';
import { readDatabaseSettings } from '../config/settings.js';
import { ConfigError, readTopology, type ModuleDescriptor } from '../config/topology.js';
import { dataSourceOptions } from '../database/database.module.js';
import { closeEmbeddedDatabases } from '../database/pglite.pool.js';
import { replayParked } from './outbox.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `events:replay <module> [event-id]`: puts the module's parked events (or one of them) back in line; the
 * running relay delivers them within its poll interval. It opens the module's database with the same
 * settings as the application (DATABASE_URL / <MODULE>_DATABASE_URL, or the embedded one under DATA_DIR,
 * which only one process may open: stop the application first). Resolves to the exit code.
 */
export async function replayCommand(env: Env, args: string[], modules: readonly ModuleDescriptor[], out = process.stdout): Promise<number> {
  const [module, eventId] = args;
  const names = modules.map((m) => m.name);
  if (!module || !names.includes(module) || (eventId !== undefined && !UUID.test(eventId))) {
    out.write(`usage: events:replay <${names.join('|')}> [event-id]\n`);
    return 64;
  }
  let ds: DataSource | undefined;
  try {
    const topology = readTopology({ ...env, MODULES: module, API: 'false' }, modules);
    ds = await new DataSource(
      dataSourceOptions({ name: module, entities: [], migrations: [] }, topology.modules[module].databaseUrl, readDatabaseSettings(env)),
    ).initialize();
    const count = await replayParked(ds, module, eventId);
    out.write(`${count} parked event(s) of the ${module} module put back for delivery\n`);
    return 0;
  } catch (err) {
    out.write(`${err instanceof ConfigError ? err.message : `events:replay failed: ${(err as Error).message}`}\n`);
    return err instanceof ConfigError ? 78 : 1;
  } finally {
    await ds?.destroy().catch(() => undefined);
    await closeEmbeddedDatabases();
  }
}
