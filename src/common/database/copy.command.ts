import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { Env } from '../config/settings.source.js';
import { readDatabaseSettings } from '../config/settings.js';
import { ConfigError } from '../config/settings.readers.js';
import { EmbeddedDatabaseInUse, lockDataDirectory, unlockDataDirectory } from './data-dir.lock.js';
import { dataSourceOptions, type MigrationClass, migrateModule } from './database.module.js';
import { closeEmbeddedDatabases } from './pglite.pool.js';
import {
  copySchemaRows,
  firstTableWithRows,
  layoutDifferences,
  readLayout,
  schemaExists,
  TEXT_SETTINGS,
  type Queryable,
} from './schema-copy.js';

/** What the copy needs of a module: its schema's name and the migrations that build it, oldest first. */
export interface ModuleSchema {
  readonly name: string;
  readonly migrations?: readonly MigrationClass[];
}

const USAGE = 'usage: db:copy --to <postgres://user:password@host:port/database>';

/** A reason not to copy, stated to the operator as is (exit code 1); nothing has been written. */
class Refusal extends Error {}

function targetUrl(args: string[]): string | undefined {
  const [flag, value, ...rest] = args.length === 1 && args[0].startsWith('--to=') ? ['--to', args[0].slice(5)] : args;
  if (flag !== '--to' || !value || rest.length) return undefined;
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol) ? value : undefined;
  } catch {
    return undefined;
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The names of a module's migrations as TypeORM records them, oldest first. */
const migrationNames = (migrations: readonly MigrationClass[]) => migrations.map((M) => new M().name ?? M.name);

async function appliedMigrations(db: Queryable, schema: string): Promise<string[]> {
  const found: unknown[] = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'migrations'`, [schema]);
  if (!found.length) return [];
  return ((await db.query(`SELECT name FROM "${schema}"."migrations" ORDER BY id`)) as Array<{ name: string }>).map((r) => r.name);
}

/**
 * `db:copy --to <url>`: copies the embedded database (under DATA_DIR) into a PostgreSQL database, the
 * first step of running modules in more than one process. Every module schema found in the embedded
 * database is created in the target by this build's migrations, then filled with the embedded rows
 * (the `migrations` tables included) and given the same sequence positions, in one transaction.
 * Refuses, copying no row, while another process has the embedded database open, when the target
 * already holds data in those schemas, or when the embedded database's migrations are not this build's
 * (a refusal after the target's schemas were migrated leaves them empty, which a later copy accepts).
 */
export async function copyCommand(env: Env, args: string[], modules: readonly ModuleSchema[], out = process.stdout): Promise<number> {
  const url = targetUrl(args);
  if (!url) {
    out.write(`${USAGE}\n`);
    return 64;
  }
  const targets: DataSource[] = [];
  let directory: string | undefined;
  let source: DataSource | undefined;
  try {
    const settings = readDatabaseSettings(env);
    if (settings.dataDir === ':memory:') throw new Refusal('DATA_DIR is :memory:, which keeps no embedded database to copy');
    directory = resolve(settings.dataDir, 'pglite');
    if (!existsSync(join(directory, 'PG_VERSION')))
      throw new Refusal(`there is no embedded database in ${directory} (DATA_DIR=${settings.dataDir})`);
    lockDataDirectory(directory);
    source = await new DataSource(dataSourceOptions({ name: 'embedded', entities: [], migrations: [] }, undefined, settings)).initialize();
    for (const statement of TEXT_SETTINGS) await source.query(statement);
    const embedded = source;

    const copied = modules.filter((m) => m.migrations?.length);
    const present: ModuleSchema[] = [];
    for (const m of copied) if (await schemaExists(embedded, m.name)) present.push(m);
    if (!present.length)
      throw new Refusal(`the embedded database in ${directory} holds no module schema (${copied.map((m) => m.name).join(', ')})`);
    for (const m of present) {
      const applied = await appliedMigrations(embedded, m.name);
      const built = migrationNames(m.migrations!);
      const missing = built.filter((n) => !applied.includes(n));
      const unknown = applied.filter((n) => !built.includes(n));
      if (unknown.length)
        throw new Refusal(
          `the embedded ${m.name} schema has migrations this build does not know (${unknown.join(', ')}): copy with the version of the ` +
            `application that wrote it`,
        );
      if (missing.length)
        throw new Refusal(
          `the embedded ${m.name} schema lacks migrations of this build (${missing.join(', ')}): start this build once on the embedded ` +
            `database (it migrates at start), stop it, then copy`,
        );
    }

    const poolSettings = { ...settings, poolSize: 2 };
    for (const m of present)
      targets.push(new DataSource(dataSourceOptions({ name: m.name, entities: [], migrations: [...m.migrations!] }, url, poolSettings)));
    for (const t of targets) await t.initialize();
    // Nothing is written before every module schema of the target has been found absent or empty.
    for (const [i, m] of present.entries()) {
      const target = targets[i];
      if (!(await schemaExists(target, m.name))) continue;
      const table = await firstTableWithRows(target, m.name, await readLayout(target, m.name), 'migrations');
      if (table)
        throw new Refusal(
          `the target database already holds data in schema "${m.name}" (table "${m.name}"."${table}"); copy into a new database, or ` +
            `one whose module schemas are absent or empty`,
        );
      const unknown = (await appliedMigrations(target, m.name)).filter((n) => !migrationNames(m.migrations!).includes(n));
      if (unknown.length)
        throw new Refusal(`the target's ${m.name} schema has migrations this build does not know (${unknown.join(', ')})`);
    }

    const layouts = [];
    for (const [i, m] of present.entries()) {
      await migrateModule(targets[i], m.name);
      const layout = await readLayout(embedded, m.name);
      const differences = layoutDifferences(layout, await readLayout(targets[i], m.name));
      if (differences.length)
        throw new Refusal(
          `the ${m.name} schema differs between the embedded database and what this build's migrations create: ${differences.join('; ')}`,
        );
      layouts.push(layout);
    }

    const runner = targets[0].createQueryRunner();
    const summary: string[] = [];
    try {
      await runner.connect();
      await runner.startTransaction();
      for (const statement of TEXT_SETTINGS) await runner.query(statement.replace(/^SET /, 'SET LOCAL '));
      for (const [i, m] of present.entries()) {
        const rows = await copySchemaRows(embedded, runner, m.name, layouts[i]);
        const total = Object.values(rows).reduce((a, b) => a + b, 0);
        summary.push(`${m.name}: ${total} rows in ${Object.keys(rows).length} tables, ${layouts[i].sequences.length} sequences`);
      }
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
    out.write(`Copied the embedded database in ${directory} to ${redact(url)}: ${summary.join('; ')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      out.write(`${err.message}\n`);
      return 78;
    }
    const refused = err instanceof Refusal || err instanceof EmbeddedDatabaseInUse;
    out.write(refused ? `db:copy refused: ${(err as Error).message}\n` : `db:copy failed, no row was copied: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await Promise.all(targets.filter((t) => t.isInitialized).map((t) => t.destroy().catch(() => undefined)));
    await source?.destroy().catch(() => undefined);
    await closeEmbeddedDatabases().catch(() => undefined);
    if (directory) unlockDataDirectory(directory);
  }
}
