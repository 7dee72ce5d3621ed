import 'reflect-metadata';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ordersMigrations } from '../../migrations/orders/index.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { IdempotencyKeys } from '../../src/modules/orders/idempotency.store.js';
import { OrdersService } from '../../src/modules/orders/orders.service.js';
import type { UsersClient } from '../../src/modules/users/index.js';
import { freshTestDatabase, openPostgresModule } from '../support/pg-module.js';

/**
 * An order placed while its account's deletion is being applied, concurrently (the embedded database
 * runs one transaction at a time and cannot show this): the order either commits first and is
 * cancelled by the deletion, or waits for it and is refused. Never a pending order after the deletion.
 */
const ADA = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const LINE = [{ sku: 'A', quantity: 1, unitPriceCents: 1 }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('placing an order while the account is deleted, on PostgreSQL', () => {
  let url: string;
  let ds: DataSource;
  let service: OrdersService;
  let deletion: pg.Client;

  beforeAll(async () => {
    url = await freshTestDatabase();
    ds = await openPostgresModule({ name: 'orders', migrations: ordersMigrations });
    const users = { get: async ({ id }: { id: string }) => ({ id }) } as unknown as UsersClient;
    service = new OrdersService(ds, users, new IdempotencyKeys(ds));
    deletion = new pg.Client({ connectionString: url });
    await deletion.connect();
  });

  afterAll(async () => {
    await deletion.end();
    await ds.destroy();
  });

  beforeEach(() => ds.query('TRUNCATE "orders"."orders", "orders"."idempotency_keys", "orders"."credential_versions"'));

  /** The users.user-deleted handler's transaction, left open until `commit` is called. */
  async function beginDeletion(): Promise<() => Promise<void>> {
    await deletion.query('BEGIN');
    await deletion.query(`SELECT pg_advisory_xact_lock(hashtext('orders:account:' || $1::uuid::text))`, [ADA]);
    await deletion.query(
      `UPDATE "orders"."orders" SET status = 'cancelled', cancel_reason = 'account-deleted' WHERE user_id = $1 AND status = 'pending'`,
      [ADA],
    );
    await deletion.query(
      `INSERT INTO "orders"."credential_versions" (user_id, version, role, active) VALUES ($1, 2147483647, '-', false)`,
      [ADA],
    );
    return async () => {
      await deletion.query('COMMIT');
    };
  }

  it.each([
    ['without', undefined],
    ['with', 'key-1'],
  ])(
    'an order %s an idempotency key waits for a deletion in progress and is refused with ORDERS.USER_NOT_FOUND',
    async (_, idempotencyKey) => {
      const commit = await beginDeletion();
      const placing = service.place({ items: LINE, idempotencyKey }, { kind: 'user', userId: ADA, role: 'user', version: 1 }).then(
        () => 'placed',
        (err: unknown) => (err instanceof DomainError ? err.code : String(err)),
      );
      await sleep(200);
      await commit();
      expect(await placing).toBe('ORDERS.USER_NOT_FOUND');
      const [{ pending }] = await ds.query(`SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM "orders"."orders"`);
      expect(pending).toBe(0);
    },
  );
});
