import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { lockDataDirectory, unlockDataDirectory } from './data-dir.lock.js';

type Callback<T> = (err: Error | null, result?: T) => void;

interface QueryResult {
  rows: unknown[];
  rowCount: number;
  command?: string;
}

/**
 * Makes one embedded PGlite database look like a `pg` pool to TypeORM's postgres driver.
 * PGlite has a single session, so the pool lends it to one borrower at a time: a transaction is
 * never interleaved with another caller's statements.
 */
class PGliteSession extends EventEmitter {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly db: PGlite) {
    super();
  }

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.queue.then(() => release);
    this.queue = this.queue.then(() => held);
    return ready;
  }

  async query(sql: string | { text: string; values?: unknown[] }, params?: unknown, cb?: Callback<QueryResult>): Promise<QueryResult> {
    const text = typeof sql === 'string' ? sql : sql.text;
    const values = Array.isArray(params) ? params : typeof sql === 'object' ? sql.values : undefined;
    const callback = (typeof params === 'function' ? params : cb) as Callback<QueryResult> | undefined;
    try {
      let result: QueryResult;
      if (values && values.length) {
        const r = await this.db.query(text, values);
        result = { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(text) };
      } else {
        const all = await this.db.exec(text);
        const last = all[all.length - 1];
        result = { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0, command: commandOf(text) };
      }
      callback?.(null, result);
      return result;
    } catch (err) {
      if (callback) callback(err as Error);
      throw err;
    }
  }
}

function commandOf(sql: string): string {
  return sql.trimStart().split(/\s/, 1)[0].toUpperCase();
}

const sessions = new Map<string, Promise<PGliteSession>>();

/**
 * PostgreSQL's default buffer pool (128 MB) lives inside the WebAssembly heap and is paid in resident
 * memory by the process; the embedded database serves one process and small data, and its files are
 * cached by the operating system anyway. Measured idle RSS of a reopened database after reads: 333 MiB
 * with the default, 191 MiB with 16 MB.
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB'];

/**
 * One PGlite per data directory per process, shared by every module's data source; the directory is
 * locked for this process while it is open (see data-dir.lock.ts).
 */
function session(dataDir: string | undefined): Promise<PGliteSession> {
  const key = dataDir ?? ':memory:';
  let s = sessions.get(key);
  if (!s) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      try {
        lockDataDirectory(dataDir);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // Loaded on first use: a process on PostgreSQL never needs the embedded database's code.
    s = import('@electric-sql/pglite')
      .then(({ PGlite }) => PGlite.create({ ...(dataDir ? { dataDir } : {}), postgresqlconf: EMBEDDED_SETTINGS }))
      .then((db) => new PGliteSession(db));
    sessions.set(key, s);
  }
  return s;
}

export async function closeEmbeddedDatabases(): Promise<void> {
  const all = [...sessions];
  sessions.clear();
  await Promise.all(
    all.map(async ([key, s]) => {
      try {
        await (await s).db.close();
      } finally {
        if (key !== ':memory:') unlockDataDirectory(key);
      }
    }),
  );
}

/** A `pg`-module lookalike whose Pool is backed by the embedded database in `dataDir`. */
export function pgliteDriver(dataDir: string | undefined) {
  class Pool extends EventEmitter {
    connect(callback: (err: Error | null, client?: PGliteSession, release?: () => void) => void): void {
      session(dataDir)
        .then(async (s) => {
          const release = await s.acquire();
          let released = false;
          callback(null, s, () => {
            if (!released) {
              released = true;
              release();
            }
          });
        })
        .catch((err) => callback(err));
    }

    query(sql: string, params?: unknown, cb?: Callback<QueryResult>) {
      return session(dataDir).then(async (s) => {
        const release = await s.acquire();
        try {
          return await s.query(sql, params, cb);
        } finally {
          release();
        }
      });
    }

    end(callback?: (err?: Error) => void): void {
      // The database is shared by every module's data source; it is closed once, at shutdown.
      callback?.();
    }
  }
  return { Pool };
}
