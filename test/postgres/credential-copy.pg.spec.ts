import 'reflect-metadata';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ordersMigrations } from '../../migrations/orders/index.js';
import { CredentialCopy } from '../../src/common/auth/credential-copy.js';
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
});
