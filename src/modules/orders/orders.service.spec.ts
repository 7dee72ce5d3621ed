import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ordersMigrations } from '../../../migrations/orders/index.js';
import type { ServiceIdentity, UserIdentity } from '../../common/identity/identity.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { openModuleDatabase, rejection } from '../../../test/support/unit-helpers.js';
import { BusErrors } from '../../common/errors/common.errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { IdempotencyKeys } from './idempotency.store.js';
import { OrdersService } from './orders.service.js';

const ADA = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const BOB = '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c';
const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const ADMIN_ID = '4f9d4f92-8da2-4eca-be7d-ae8c2d3b5a6f';

/** The caller as the orders core's IdentityGuard would hand it over. */
const asUser = (userId: string): UserIdentity => ({ kind: 'user', userId, role: 'user', version: 1 });
const ADMIN: UserIdentity = { kind: 'user', userId: ADMIN_ID, role: 'admin', version: 1 };
const AUTH_MODULE: ServiceIdentity = { kind: 'service', service: 'auth' };
const LINE = [{ sku: 'A', quantity: 1, unitPriceCents: 1 }];

/** Stands in for the users core: answers users.get for the ids it knows, or fails as told. */
class FakeUsersClient {
  known = new Set([ADA, BOB]);
  failure: DomainError | undefined;
  /** Runs while the buyer is being looked up: what else happens between the check and the insert. */
  meanwhile: (() => Promise<void>) | undefined;
  readonly asked: string[] = [];

  async get({ id }: { id: string }) {
    this.asked.push(id);
    await this.meanwhile?.();
    if (this.failure) throw this.failure;
    if (!this.known.has(id)) throw new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');
    return { id, name: 'x', email: 'x@example.com', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
  }
}

describe('OrdersService', () => {
  let ds: DataSource;
  let service: OrdersService;
  let users: FakeUsersClient;

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'orders', migrations: ordersMigrations });
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "orders"."orders", "orders"."idempotency_keys", "orders"."credential_versions" RESTART IDENTITY');
    users = new FakeUsersClient();
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: getDataSourceToken('orders'), useValue: ds },
        { provide: UsersClient, useValue: users },
        { provide: IdempotencyKeys, useValue: new IdempotencyKeys(ds) },
      ],
    }).compile();
    service = moduleRef.get(OrdersService);
  });

  const count = async () => Number((await ds.query('SELECT count(*) AS n FROM "orders"."orders"'))[0].n);
  /** The stored rows whose `column` is `value`, oldest first, as the table holds them. */
  const stored = (
    column: 'id' | 'user_id',
    value: string,
  ): Promise<Array<{ status: string; cancel_reason: string | null; updated_at: Date | string }>> =>
    ds.query(`SELECT * FROM "orders"."orders" WHERE ${column} = $1 ORDER BY seq`, [value]);

  describe('place', () => {
    it('stores a pending order for the calling user, totals in integer cents', async () => {
      const order = await service.place(
        {
          items: [
            { sku: 'BOOK-1', quantity: 3, unitPriceCents: 10 },
            { sku: 'PEN', quantity: 7, unitPriceCents: 1999 },
          ],
        },
        asUser(ADA),
      );
      expect(users.asked).toEqual([ADA]);
      expect(order).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId: ADA,
        status: 'pending',
        items: [
          { sku: 'BOOK-1', quantity: 3, unitPriceCents: 10, lineTotalCents: 30 },
          { sku: 'PEN', quantity: 7, unitPriceCents: 1999, lineTotalCents: 13993 },
        ],
        totalCents: 14023,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: order.createdAt,
      });
      expect(await service.get(order.id, asUser(ADA))).toEqual(order);
    });

    it('keeps a total far beyond 32 bits exact', async () => {
      const items = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 10_000, unitPriceCents: 100_000_000 }));
      const order = await service.place({ items }, asUser(ADA));
      expect(order.totalCents).toBe(100_000_000_000_000);
      expect((await service.get(order.id, asUser(ADA))).totalCents).toBe(100_000_000_000_000);
    });

    it('stores only the declared fields of each line', async () => {
      const order = await service.place(
        {
          items: [{ sku: 'A', quantity: 1, unitPriceCents: 5, discount: 5 } as never],
        },
        asUser(ADA),
      );
      const [row] = await ds.query('SELECT items FROM "orders"."orders" WHERE id = $1', [order.id]);
      expect(row.items).toEqual([{ sku: 'A', quantity: 1, unitPriceCents: 5 }]);
    });

    it('answers ORDERS.USER_NOT_FOUND (422) for a caller whose profile does not exist and stores nothing', async () => {
      // A valid token whose profile was deleted (credentials outlive a deleted profile).
      const err = await rejection(service.place({ items: LINE }, asUser(MISSING)));
      expect(err).toMatchObject({ code: 'ORDERS.USER_NOT_FOUND', status: 422 });
      expect(users.asked).toEqual([MISSING]);
      expect(await count()).toBe(0);
    });

    it('places orders only for a signed-in user: a module gets AUTH.FORBIDDEN (403), asks nobody and stores nothing', async () => {
      const err = await rejection(service.place({ items: LINE }, AUTH_MODULE));
      expect(err).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
      expect(users.asked).toEqual([]);
      expect(await count()).toBe(0);
    });

    it('owns the order by the caller even when the request names another user', async () => {
      const order = await service.place({ userId: BOB, items: LINE } as never, asUser(ADA));
      expect(order.userId).toBe(ADA);
      expect(users.asked).toEqual([ADA]);
    });

    it.each([
      ['BUS.UNAVAILABLE', new DomainError(BusErrors.UNAVAILABLE, 'The users module is unavailable', { retryAfterSeconds: 2 })],
      ['BUS.TIMEOUT', new DomainError(BusErrors.TIMEOUT, 'The users module did not answer within 5000 ms')],
    ])('lets %s from the users module through unchanged and stores nothing', async (_code, failure) => {
      users.failure = failure;
      const err = await rejection(service.place({ items: LINE }, asUser(ADA)));
      expect(err).toBe(failure);
      expect(await count()).toBe(0);
    });
  });

  describe('place while the account is being deleted', () => {
    /** What the users.user-deleted handler does: cancel the pending orders and record the account as gone. */
    const deleteAccount = (userId: string) =>
      ds.transaction(async (manager) => {
        await service.cancelAllOf(manager, userId);
        await manager.query(
          `INSERT INTO "orders"."credential_versions" (user_id, version, role, active) VALUES ($1, 2147483647, '-', false)`,
          [userId],
        );
      });

    it.each([
      ['without', undefined],
      ['with', 'key-1'],
    ])(
      'refuses with ORDERS.USER_NOT_FOUND (422) an order %s an idempotency key whose account was deleted after the check, and stores ' +
        'nothing',
      async (_, idempotencyKey) => {
        users.meanwhile = () => deleteAccount(ADA);
        const err = await rejection(service.place({ items: LINE, idempotencyKey }, asUser(ADA)));
        expect(err.toBody()).toMatchObject({ code: 'ORDERS.USER_NOT_FOUND', status: 422 });
        expect(await count()).toBe(0);
        const [keys] = await ds.query('SELECT count(*)::int AS n FROM "orders"."idempotency_keys"');
        expect(keys.n).toBe(0);
      },
    );
  });

  describe('place with an idempotency key', () => {
    const ITEMS = [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 500 }];
    const place = (idempotencyKey: string, items = ITEMS, caller = asUser(ADA)) => service.place({ items, idempotencyKey }, caller);

    it('answers a replay with the first order, without asking users again or placing another', async () => {
      const first = await place('key-1');
      expect(await place('key-1')).toEqual(first);
      expect(users.asked).toEqual([ADA]);
      expect(await count()).toBe(1);
      // The stored answer is the order as it was placed, even once the order has changed since.
      await service.cancel(first.id, asUser(ADA));
      expect(await place('key-1')).toEqual(first);
    });

    it('refuses the key with another body with ORDERS.IDEMPOTENCY_KEY_REUSED (422), asking nobody and storing nothing', async () => {
      await place('key-1');
      const err = await rejection(place('key-1', [{ sku: 'BOOK-1', quantity: 3, unitPriceCents: 500 }]));
      expect(err).toMatchObject({
        code: 'ORDERS.IDEMPOTENCY_KEY_REUSED',
        status: 422,
        message: 'This Idempotency-Key was used for a different request',
      });
      expect(users.asked).toEqual([ADA]);
      expect(await count()).toBe(1);
    });

    it('creates one order for 20 concurrent requests with one key, and answers each with it', async () => {
      const replies = await Promise.all(Array.from({ length: 20 }, () => place('key-concurrent')));
      // The requests really overlapped: several found no answer yet and raced to claim the key.
      expect(users.asked.length).toBeGreaterThan(1);
      expect(await count()).toBe(1);
      expect(new Set(replies.map((r) => r.id)).size).toBe(1);
      for (const reply of replies) expect(reply).toEqual(replies[0]);
    });

    it("keeps each buyer's keys apart and places a new order for a new key", async () => {
      const ada = await place('shared-key');
      const bob = await place('shared-key', ITEMS, asUser(BOB));
      expect(bob.id).not.toBe(ada.id);
      expect(bob.userId).toBe(BOB);
      expect((await place('another-key')).id).not.toBe(ada.id);
      expect(await count()).toBe(3);
    });

    it('does not spend the key when the order is refused', async () => {
      users.known.delete(ADA);
      expect(await rejection(place('key-1'))).toMatchObject({ code: 'ORDERS.USER_NOT_FOUND', status: 422 });
      users.known.add(ADA);
      expect(await place('key-1')).toMatchObject({ userId: ADA, status: 'pending' });
      expect(await count()).toBe(1);
    });

    it('forgets a key after 24 hours: the same key then places a new order, even with another body', async () => {
      const first = await place('key-1');
      await ds.query(`UPDATE "orders"."idempotency_keys" SET created_at = now() - interval '24 hours 1 second'`);
      const second = await place('key-1', [{ sku: 'PEN', quantity: 1, unitPriceCents: 5 }]);
      expect(second.id).not.toBe(first.id);
      expect(await place('key-1', [{ sku: 'PEN', quantity: 1, unitPriceCents: 5 }])).toEqual(second);
      expect(await count()).toBe(2);
    });

    it('places a new order every time without a key', async () => {
      await service.place({ items: ITEMS }, asUser(ADA));
      await service.place({ items: ITEMS }, asUser(ADA));
      expect(await count()).toBe(2);
    });
  });

  describe('cancelAllOf (users.user-deleted)', () => {
    const reasons = async (userId: string) => (await stored('user_id', userId)).map((o) => [o.status, o.cancel_reason]);

    it("cancels only that user's pending orders, as account-deleted, inside the event's transaction", async () => {
      const mine = [];
      for (const sku of ['A', 'B', 'C']) mine.push(await service.place({ items: [{ sku, quantity: 1, unitPriceCents: 1 }] }, asUser(ADA)));
      await service.cancel(mine[1].id, asUser(ADA));
      await service.place({ items: LINE }, asUser(BOB));

      await ds.transaction((manager) => service.cancelAllOf(manager, ADA));
      expect(await reasons(ADA)).toEqual([
        ['cancelled', 'account-deleted'],
        ['cancelled', 'requested'],
        ['cancelled', 'account-deleted'],
      ]);
      expect(await reasons(BOB)).toEqual([['pending', null]]);
      const [reread] = await stored('id', mine[0].id);
      expect(new Date(reread.updated_at).getTime()).toBeGreaterThan(new Date(mine[0].updatedAt).getTime());
    });

    it('changes nothing when applied again, or when the transaction rolls back', async () => {
      await service.place({ items: LINE }, asUser(ADA));
      await expect(
        ds.transaction(async (manager) => {
          await service.cancelAllOf(manager, ADA);
          throw new Error('the inbox transaction failed');
        }),
      ).rejects.toThrow('the inbox transaction failed');
      expect(await reasons(ADA)).toEqual([['pending', null]]);
      await ds.transaction((manager) => service.cancelAllOf(manager, ADA));
      const [once] = await stored('user_id', ADA);
      await ds.transaction((manager) => service.cancelAllOf(manager, ADA));
      const [twice] = await stored('user_id', ADA);
      expect(twice).toEqual(once);
    });
  });

  describe('get', () => {
    it('answers ORDERS.NOT_FOUND (404) for an unknown id', async () => {
      expect(await rejection(service.get(MISSING, ADMIN))).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    });

    it("answers another user's order with ORDERS.NOT_FOUND (404), exactly like a missing one; an admin reads it", async () => {
      const order = await service.place({ items: LINE }, asUser(ADA));
      expect(await rejection(service.get(order.id, asUser(BOB)))).toMatchObject({
        code: 'ORDERS.NOT_FOUND',
        status: 404,
        message: 'No order has this id',
      });
      expect(await service.get(order.id, ADMIN)).toEqual(order);
    });
  });

  describe('cancel', () => {
    it('cancels a pending order, then refuses a second cancel with ORDERS.NOT_CANCELLABLE (409)', async () => {
      const { id } = await service.place({ items: LINE }, asUser(ADA));
      const cancelled = await service.cancel(id, asUser(ADA));
      expect(cancelled).toMatchObject({ id, status: 'cancelled' });
      expect((await stored('id', id))[0].cancel_reason).toBe('requested');
      const err = await rejection(service.cancel(id, asUser(ADA)));
      expect(err).toMatchObject({
        code: 'ORDERS.NOT_CANCELLABLE',
        status: 409,
        message: 'The order is cancelled; only a pending order can be cancelled',
      });
      expect((await service.get(id, asUser(ADA))).status).toBe('cancelled');
    });

    it('answers ORDERS.NOT_FOUND (404) for an unknown id', async () => {
      expect(await rejection(service.cancel(MISSING, ADMIN))).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    });

    it("answers another user's order with ORDERS.NOT_FOUND (404) and leaves it pending", async () => {
      const { id } = await service.place({ items: LINE }, asUser(ADA));
      expect(await rejection(service.cancel(id, asUser(BOB)))).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
      expect((await service.get(id, asUser(ADA))).status).toBe('pending');
    });
  });

  describe('list', () => {
    it("pages through one user's orders, oldest first, and leaves other users' out", async () => {
      const place = (userId: string, sku: string) => service.place({ items: [{ sku, quantity: 1, unitPriceCents: 1 }] }, asUser(userId));
      const mine = [];
      for (const sku of ['A', 'B', 'C']) {
        mine.push(await place(ADA, sku));
        await place(BOB, sku);
      }
      const first = await service.list({ userId: ADA, limit: 2 }, asUser(ADA));
      expect(first.items.map((o) => o.id)).toEqual([mine[0].id, mine[1].id]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await service.list({ userId: ADA, limit: 2, cursor: first.nextCursor! }, asUser(ADA));
      expect(second).toEqual({ items: [mine[2]], nextCursor: null });
      // Without userId a user lists their own orders; an admin names anyone, or nobody to list all.
      expect((await service.list({ limit: 10 }, asUser(ADA))).items).toEqual(mine);
      expect((await service.list({ userId: ADA, limit: 10 }, ADMIN)).items).toEqual(mine);
      expect((await service.list({ limit: 10 }, ADMIN)).items).toHaveLength(6);
      expect((await service.list({ userId: MISSING }, ADMIN)).items).toEqual([]);
    });

    it("answers AUTH.FORBIDDEN (403) to a user naming another user's orders", async () => {
      await service.place({ items: LINE }, asUser(BOB));
      expect(await rejection(service.list({ userId: BOB }, asUser(ADA)))).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    });

    it('answers ORDERS.INVALID_CURSOR (400) for a cursor it did not issue', async () => {
      expect(await rejection(service.list({ userId: ADA, cursor: 'not-a-cursor!' }, asUser(ADA)))).toMatchObject({
        code: 'ORDERS.INVALID_CURSOR',
        status: 400,
      });
    });
  });
});
