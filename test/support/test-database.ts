import pg from 'pg';

/** The schemas the application's modules own; each is dropped before a topology starts. */
export const MODULE_SCHEMAS = ['users', 'orders', 'auth'] as const;

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mm_e2e_test';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
}

/** The database name of a URL, refused unless it says it is for tests: the harness drops schemas. */
export function testDatabaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name || !name.toLowerCase().includes('test')) {
    throw new Error(
      `Refusing to run end-to-end tests against database "${name}" (${redact(url)}): ` +
        'its name must contain "test", because every run drops its schemas. Set TEST_DATABASE_URL.',
    );
  }
  return name;
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the test database if it does not exist, through the server's `postgres` database. */
export async function ensureTestDatabase(url = testDatabaseUrl()): Promise<void> {
  const name = testDatabaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await withClient(admin.toString(), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (err) {
      // Another run created it between the check and the statement.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  });
}

/**
 * Empties the test database: every schema but PostgreSQL's own is dropped and `public` is recreated
 * empty, so the processes about to start create their schemas and run every migration from scratch.
 */
export async function resetTestDatabase(url = testDatabaseUrl()): Promise<void> {
  testDatabaseName(url);
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
    );
    const schemas = new Set([...rows.map((r) => r.name), ...MODULE_SCHEMAS]);
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query('CREATE SCHEMA public');
  });
}

/**
 * A connection to the test database for a suite's own checks: emptying the module tables between
 * tests and looking at the catalog.
 */
export class TestDatabase {
  private client: pg.Client | undefined;

  constructor(readonly url = testDatabaseUrl()) {
    testDatabaseName(url);
  }

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
      await client.connect();
      this.client = client;
    }
    return (await this.client.query<R>(sql, params)).rows;
  }

  /** Empties every table of the module schemas except their `migrations` bookkeeping. */
  async truncateModuleTables(): Promise<void> {
    const tables = await this.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema = ANY($1) AND table_name <> 'migrations'`,
      [[...MODULE_SCHEMAS]],
    );
    if (!tables.length) return;
    const list = tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`).join(', ');
    // The running processes keep working in the background (event relays, credential copies), so the
    // truncation can meet their locks in another order; PostgreSQL then cancels one side: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.query(`TRUNCATE ${list} RESTART IDENTITY`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      }
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }
}
