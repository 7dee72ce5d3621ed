import { DataSource } from 'typeorm';
import { dataSourceOptions, migrateModule, ModuleDatabaseOptions } from '../../src/common/database/database.module.js';
import { DomainError } from '../../src/common/errors/domain-error.js';

/** A module's data source on a fresh in-memory embedded database, migrated as at start-up. */
export async function openModuleDatabase(options: ModuleDatabaseOptions): Promise<DataSource> {
  const ds = await new DataSource(dataSourceOptions(options, undefined, { dataDir: ':memory:', poolSize: 1 })).initialize();
  await migrateModule(ds, options.name);
  return ds;
}

/** The DomainError a call rejects with; anything else (or success) fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
