import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ordersMigrations } from '../../../migrations/orders/index.js';
import { dataSourceOptions, migrateModule } from '../../common/database/database.module.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { BusErrors } from '../../common/errors/common.errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { Order } from './order.entity.js';
import { OrdersService } from './orders.service.js';

const ADA = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const BOB = '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c';
const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';

/** Stands in for the users core: answers users.get for the ids it knows, or fails as told. */
class FakeUsersClient {
  known = new Set([ADA, BOB]);
  failure: DomainError | undefined;
  readonly asked: string[] = [];

  async get({ id }: { id: string }) {
    this.asked.push(id);
    if (this.failure) throw this.failure;
    if (!this.known.has(id)) throw new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');
    return { id, name: 'x', email: 'x@example.com', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
  }
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('OrdersService', () => {
  let ds: DataSource;
  let service: OrdersService;
  let users: FakeUsersClient;

  beforeAll(async () => {
    ds = await new DataSource(
      dataSourceOptions({ name: 'orders', entities: [Order], migrations: ordersMigrations }, undefined, { dataDir: ':memory:', poolSize: 1 }),
    ).initialize();
    await migrateModule(ds, 'orders');
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "orders"."orders" RESTART IDENTITY');
    users = new FakeUsersClient();
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: getRepositoryToken(Order, 'orders'), useValue: ds.getRepository(Order) },
        { provide: UsersClient, useValue: users },
      ],
    }).compile();
    service = moduleRef.get(OrdersService);
  });

  const count = () => ds.getRepository(Order).count();

  describe('place', () => {
    it('stores a pending order for a known user, totals in integer cents', async () => {
      const order = await service.place({
        userId: ADA,
        items: [
          { sku: 'BOOK-1', quantity: 3, unitPriceCents: 10 },
          { sku: 'PEN', quantity: 7, unitPriceCents: 1999 },
        ],
      });
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
      expect(await service.get(order.id)).toEqual(order);
    });

    it('keeps a total far beyond 32 bits exact', async () => {
      const items = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 10_000, unitPriceCents: 100_000_000 }));
      const order = await service.place({ userId: ADA, items });
      expect(order.totalCents).toBe(100_000_000_000_000);
      expect((await service.get(order.id)).totalCents).toBe(100_000_000_000_000);
    });

    it('stores only the declared fields of each line', async () => {
      const order = await service.place({
        userId: ADA,
        items: [{ sku: 'A', quantity: 1, unitPriceCents: 5, discount: 5 } as never],
      });
      const [row] = await ds.query('SELECT items FROM "orders"."orders" WHERE id = $1', [order.id]);
      expect(row.items).toEqual([{ sku: 'A', quantity: 1, unitPriceCents: 5 }]);
    });

    it('answers ORDERS.USER_NOT_FOUND (422) for an unknown user and stores nothing', async () => {
      const err = await rejection(service.place({ userId: MISSING, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }));
      expect(err).toMatchObject({ code: 'ORDERS.USER_NOT_FOUND', status: 422 });
      expect(users.asked).toEqual([MISSING]);
      expect(await count()).toBe(0);
    });

    it.each([
      ['BUS.UNAVAILABLE', new DomainError(BusErrors.UNAVAILABLE, 'The users module is unavailable', { retryAfterSeconds: 2 })],
      ['BUS.TIMEOUT', new DomainError(BusErrors.TIMEOUT, 'The users module did not answer within 5000 ms')],
    ])('lets %s from the users module through unchanged and stores nothing', async (_code, failure) => {
      users.failure = failure;
      const err = await rejection(service.place({ userId: ADA, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }));
      expect(err).toBe(failure);
      expect(await count()).toBe(0);
    });
  });

  describe('get', () => {
    it('answers ORDERS.NOT_FOUND (404) for an unknown id', async () => {
      expect(await rejection(service.get(MISSING))).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    });
  });

  describe('cancel', () => {
    it('cancels a pending order, then refuses a second cancel with ORDERS.NOT_CANCELLABLE (409)', async () => {
      const { id } = await service.place({ userId: ADA, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] });
      const cancelled = await service.cancel(id);
      expect(cancelled).toMatchObject({ id, status: 'cancelled' });
      const err = await rejection(service.cancel(id));
      expect(err).toMatchObject({ code: 'ORDERS.NOT_CANCELLABLE', status: 409, message: 'The order is cancelled; only a pending order can be cancelled' });
      expect((await service.get(id)).status).toBe('cancelled');
    });

    it('answers ORDERS.NOT_FOUND (404) for an unknown id', async () => {
      expect(await rejection(service.cancel(MISSING))).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    });
  });

  describe('list', () => {
    it("pages through one user's orders, oldest first, and leaves other users' out", async () => {
      const place = (userId: string, sku: string) => service.place({ userId, items: [{ sku, quantity: 1, unitPriceCents: 1 }] });
      const mine = [];
      for (const sku of ['A', 'B', 'C']) {
        mine.push(await place(ADA, sku));
        await place(BOB, sku);
      }
      const first = await service.list({ userId: ADA, limit: 2 });
      expect(first.items.map((o) => o.id)).toEqual([mine[0].id, mine[1].id]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await service.list({ userId: ADA, limit: 2, cursor: first.nextCursor! });
      expect(second).toEqual({ items: [mine[2]], nextCursor: null });
      expect((await service.list({ userId: MISSING })).items).toEqual([]);
    });

    it('answers ORDERS.INVALID_CURSOR (400) for a cursor it did not issue', async () => {
      expect(await rejection(service.list({ userId: ADA, cursor: 'not-a-cursor!' }))).toMatchObject({
        code: 'ORDERS.INVALID_CURSOR',
        status: 400,
      });
    });
  });
});
