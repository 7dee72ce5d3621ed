import { DataSource } from 'typeorm';
import { dataSourceOptions, migrateModule, type ModuleDatabaseOptions } from '../../src/common/database/database.module.js';
import { ensureTestDatabase, resetTestDatabase, testDatabaseUrl } from './test-database.js';

/** Empties the test database (every schema dropped) for a spec about PostgreSQL itself. */
export async function freshTestDatabase(): Promise<string> {
  const url = testDatabaseUrl();
  await ensureTestDatabase(url);
  await resetTestDatabase(url);
  return url;
}

/** A module's data source on the PostgreSQL test database, migrated as at start-up. */
export async function openPostgresModule(options: ModuleDatabaseOptions, poolSize = 4, acquireTimeoutMs = 10_000): Promise<DataSource> {
  const ds = await new DataSource(dataSourceOptions(options, testDatabaseUrl(), { dataDir: '', poolSize, acquireTimeoutMs })).initialize();
  await migrateModule(ds, options.name);
  return ds;
}
