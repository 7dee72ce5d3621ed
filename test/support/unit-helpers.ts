import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  createCredentialCopyV1,
  createEventTablesV1,
  upgradeCredentialCopyV2,
  upgradeEventTablesV2,
} from '../../migrations/shared/event-tables.js';
import { dataSourceOptions, migrateModule, ModuleDatabaseOptions } from '../../src/common/database/database.module.js';
import { DomainError } from '../../src/common/errors/domain-error.js';

/** A module's data source on a fresh in-memory embedded database, migrated as at start-up. */
export async function openModuleDatabase(options: ModuleDatabaseOptions): Promise<DataSource> {
  const ds = await new DataSource(dataSourceOptions(options, undefined, { dataDir: ':memory:', poolSize: 1 })).initialize();
  await migrateModule(ds, options.name);
  return ds;
}

/**
 * A schema holding only what every module core shares (outbox, inbox, credential copy), created by the
 * same functions the modules' migrations call, for specs of src/common that must know no module.
 */
export function openEventTablesDatabase(schema: string): Promise<DataSource> {
  class EventTables implements MigrationInterface {
    name = 'EventTables1763800000000';

    async up(q: QueryRunner): Promise<void> {
      await createEventTablesV1(q, schema);
      await createCredentialCopyV1(q, schema);
      await upgradeEventTablesV2(q, schema);
      await upgradeCredentialCopyV2(q, schema);
    }

    async down(): Promise<void> {}
  }
  return openModuleDatabase({ name: schema, entities: [], migrations: [EventTables] });
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
