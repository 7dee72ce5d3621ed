import 'reflect-metadata';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ordersMigrations } from '../../migrations/orders/index.js';
import { accountGone, CredentialCopy } from '../../src/common/identity/credential-copy.js';
import { ModuleSession } from '../../src/common/database/module-session.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { freshTestDatabase, openPostgresModule } from '../support/pg-module.js';

/**
 * A replica's credential copy follows the rows other replicas change. Two transactions that change
 * two accounts commit in the opposite order to the one in which they wrote: the copy must see both.
 */
const ADA = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const BOB = '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c';
const REFRESH_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const UPSERT = `INSERT INTO "orders"."credential_versions" (user_id, version, role, active) VALUES ($1, $2, 'user', $3)
  ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version, active = EXCLUDED.active, changed_xid = pg_current_xact_id()`;

function accepts(copy: CredentialCopy, userId: string, version: number): boolean {
  try {
    copy.assertCurrent({ kind: 'user', userId, role: 'user', version });
    return true;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}

describe('CredentialCopy on PostgreSQL', () => {
  let url: string;
  let ds: DataSource;
  let copy: CredentialCopy;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    url = await freshTestDatabase();
    ds = await openPostgresModule({ name: 'orders', entities: [], migrations: ordersMigrations });
    copy = new CredentialCopy(ds, 'orders', REFRESH_MS);
    await copy.start();
  });

  afterAll(async () => {
    copy.onApplicationShutdown();
    await Promise.all(clients.map((c) => c.end()));
    await ds.destroy();
  });

  async function connection(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  }

  it('sees a change whose transaction wrote first but committed after a later one was read', async () => {
    const [early, late] = [await connection(), await connection()];
    // The deletion's transaction writes first, then stalls (a slow handler, a busy database)...
    await early.query('BEGIN');
    await early.query(UPSERT, [ADA, 2147483647, false]);
    // ...while another replica changes Bob's password and commits, and this copy reads it.
    await late.query(UPSERT, [BOB, 2, true]);
    await sleep(4 * REFRESH_MS);
    expect(accepts(copy, BOB, 1)).toBe(false);
    expect(accepts(copy, ADA, 1)).toBe(true);
    // The deletion commits last: the copy must still pick it up and refuse Ada's tokens.
    await early.query('COMMIT');
    await sleep(4 * REFRESH_MS);
    expect(accepts(copy, ADA, 1)).toBe(false);
  });

  it('hears a change another replica applied as soon as it commits, long before its own refresh', async () => {
    const sessions = [new ModuleSession(url, 'orders'), new ModuleSession(url, 'orders')];
    const [applier, listener] = [
      new CredentialCopy(ds, 'orders', 60_000, sessions[0]),
      new CredentialCopy(ds, 'orders', 60_000, sessions[1]),
    ];
    try {
      await applier.start();
      await listener.start();
      const CAROL = '2d7b2d70-6b80-4ca8-9c5b-8c6a0b1f3e4d';
      expect(accepts(listener, CAROL, 1)).toBe(true);
      const after: Array<() => void> = [];
      const started = performance.now();
      await ds.transaction((manager) => applier.apply(manager, accountGone(CAROL), (action) => after.push(action)));
      after.forEach((action) => action());
      while (accepts(listener, CAROL, 1) && performance.now() - started < 2000) await sleep(2);
      const ms = performance.now() - started;
      console.log(`[credential-copy] another replica refused the deleted account's token ${ms.toFixed(1)} ms after the commit`);
      expect(accepts(listener, CAROL, 1)).toBe(false);
      expect(ms).toBeLessThan(500);
    } finally {
      applier.onApplicationShutdown();
      listener.onApplicationShutdown();
      await Promise.all(sessions.map((s) => s.close()));
    }
  });
});
