import { DataSource } from 'typeorm';
import type { Env } from '../config/settings.source.js';
import { readDatabaseSettings } from '../config/settings.js';
import { readTopology, type ModuleDescriptor, type Topology } from '../config/topology.js';
import { dataSourceOptions } from './database.module.js';
import { closeEmbeddedDatabases } from './pglite.pool.js';

/**
 * Opens one module's database outside the application, with the application's settings (DATABASE_URL /
 * <MODULE>_DATABASE_URL, or the embedded database under DATA_DIR, which only one process may open at a
 * time), runs `work`, and closes it. For operator commands.
 */
export async function withModuleDatabase<T>(
  env: Env,
  module: string,
  modules: readonly ModuleDescriptor[],
  work: (ds: DataSource, topology: Topology) => Promise<T>,
): Promise<T> {
  // Read as if one process hosted every module: a command reaches no other module, it only needs the
  // database settings and which consumers each event has.
  const topology = readTopology({ ...env, MODULES: modules.map((m) => m.name).join(','), API: 'false' }, modules);
  let ds: DataSource | undefined;
  try {
    ds = await new DataSource(
      dataSourceOptions({ name: module, entities: [], migrations: [] }, topology.modules[module].databaseUrl, readDatabaseSettings(env)),
    ).initialize();
    return await work(ds, topology);
  } finally {
    await ds?.destroy().catch(() => undefined);
    await closeEmbeddedDatabases();
  }
}
