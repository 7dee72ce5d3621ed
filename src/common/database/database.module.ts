import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import { DataSource, DataSourceOptions, MigrationExecutor, type MigrationInterface } from 'typeorm';
import { databaseConfig } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { closeEmbeddedDatabases, pgliteDriver } from './pglite.pool.js';

/** A migration of a module's schema, as TypeORM runs it. */
export type MigrationClass = new () => MigrationInterface;

/** An entity class, for a module that uses TypeORM's repositories. */
export type EntityClass = new (...args: never[]) => object;

export interface ModuleDatabaseOptions {
  /** The module's name, which is also its Postgres schema and its data source's name. */
  name: string;
  /** Entities, for a module that reads and writes through TypeORM's repositories; none for one that writes plain SQL. */
  entities?: EntityClass[];
  migrations: MigrationClass[];
}

export function dataSourceOptions(
  options: ModuleDatabaseOptions,
  url: string | undefined,
  settings: Pick<ConfigType<typeof databaseConfig>, 'dataDir' | 'poolSize'> & { acquireTimeoutMs?: number },
): DataSourceOptions {
  return {
    type: 'postgres',
    ...(url
      ? {
          url,
          // A request waits at most acquireTimeoutMs for a pooled connection instead of forever, and
          // keepalives let a connection whose server vanished fail instead of hanging.
          extra: { max: settings.poolSize, connectionTimeoutMillis: settings.acquireTimeoutMs ?? 10_000, keepAlive: true },
          applicationName: `mm-${options.name}`,
        }
      : { driver: pgliteDriver(settings.dataDir === ':memory:' ? undefined : resolve(settings.dataDir, 'pglite')) }),
    schema: options.name,
    entities: options.entities ?? [],
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
  };
}

/**
 * Creates the module's schema if needed and applies its pending migrations. On PostgreSQL an advisory
 * lock keeps two processes that start together from migrating the same schema at once; the embedded
 * database belongs to a single process, so it needs none.
 */
export async function migrateModule(ds: DataSource, schema: string): Promise<void> {
  const embedded = !(ds.options as { url?: string }).url;
  if (embedded) {
    await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await ds.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    try {
      await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      // On the lock's own connection: a pool of one (DATABASE_POOL_SIZE=1) has no second one to give.
      const executor = new MigrationExecutor(ds, lock);
      executor.transaction = 'each';
      await executor.executePendingMigrations();
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]);
    }
  } finally {
    await lock.release();
  }
}

/** Closes the embedded database files when the application stops (a no-op on PostgreSQL). */
@Injectable()
class EmbeddedDatabaseCloser implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return closeEmbeddedDatabases();
  }
}

/** A module core's own data source: its schema, its entities, its migrations, nothing else. */
@Module({})
export class DatabaseModule {
  static forModule(options: ModuleDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          name: options.name,
          imports: [ConfigModule.forFeature(databaseConfig)],
          inject: [TOPOLOGY, databaseConfig.KEY],
          useFactory: (topology: Topology, settings: ConfigType<typeof databaseConfig>) => ({
            ...dataSourceOptions(options, topology.modules[options.name].databaseUrl, settings),
            // A database that is still starting gets a few chances before the boot fails.
            retryAttempts: 5,
            retryDelay: 2000,
          }),
          dataSourceFactory: async (dsOptions) => {
            const ds = await new DataSource(dsOptions!).initialize();
            if (databaseConfig().runMigrations) await migrateModule(ds, options.name);
            return ds;
          },
        }),
        TypeOrmModule.forFeature(options.entities ?? [], options.name),
      ],
      providers: [EmbeddedDatabaseCloser],
      exports: [TypeOrmModule],
    };
  }
}
