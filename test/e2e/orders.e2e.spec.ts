import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { authFor, collectPages, createAdmin, createUser, CreatedUser, placeOrder, SAMPLE_LINES } from '../support/api-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem, violatedFields } from '../support/problem.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('orders API', () => {
  const suite = useE2eSuite('orders');
  const api = () => request(suite.baseUrl);

  describe('POST /v1/orders', () => {
    it('places a pending order whose totals the server computes in integer cents', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().post('/v1/orders').set('authorization', authFor(user)).send({ items: SAMPLE_LINES });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        userId: user.id,
        status: 'pending',
        items: [
          { sku: 'BOOK-0042', quantity: 3, unitPriceCents: 1999, lineTotalCents: 5997 },
          { sku: 'pen_blue.2', quantity: 2, unitPriceCents: 5, lineTotalCents: 10 },
        ],
        totalCents: 6007,
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      expect(Number.isInteger(res.body.totalCents)).toBe(true);
      const read = await api().get(`/v1/orders/${res.body.id}`).set('authorization', authFor(user));
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('keeps large totals exact', async () => {
      const user = await createUser(suite.baseUrl);
      const order = await placeOrder(suite.baseUrl, user.id, [
        { sku: 'GOLD', quantity: 10_000, unitPriceCents: 100_000_000 },
        { sku: 'CHANGE', quantity: 1, unitPriceCents: 1 },
      ]);
      expect(order.totalCents).toBe(1_000_000_000_001);
    });

    it.each([
      ['totalCents', { totalCents: 1 }],
      ['status', { status: 'cancelled' }],
      ['id', { id: randomUUID() }],
    ])('refuses a client-sent %s and stores nothing', async (field, extra) => {
      const user = await createUser(suite.baseUrl);
      const res = await api()
        .post('/v1/orders')
        .set('authorization', authFor(user))
        .send({ items: SAMPLE_LINES, ...extra });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([field]);
      expect((await api().get('/v1/orders').set('authorization', authFor(user)).query({ userId: user.id })).body.items).toEqual([]);
    });

    it('refuses a userId in the body (the owner is the caller), and stores nothing', async () => {
      const [user, other] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const res = await api().post('/v1/orders').set('authorization', authFor(user)).send({ userId: other.id, items: SAMPLE_LINES });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['userId']);
      const admin = await createAdmin(suite.baseUrl);
      const list = await api().get('/v1/orders').set('authorization', authFor(admin));
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a deleted user (their token died with the account) and stores nothing', async () => {
      const user = await createUser(suite.baseUrl);
      await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(user)).expect(204);
      expectProblem(
        await api().post('/v1/orders').set('authorization', authFor(user)).send({ items: SAMPLE_LINES }),
        401,
        'AUTH.UNAUTHENTICATED',
      );
      const admin = await createAdmin(suite.baseUrl);
      expect((await api().get('/v1/orders').set('authorization', authFor(admin))).body).toEqual({ items: [], nextCursor: null });
    });

    const line = SAMPLE_LINES[0];
    it.each([
      ['a userId that is not a uuid', { userId: 'nope', items: [line] }, ['userId']],
      ['a userId at all', { userId: randomUUID(), items: [line] }, ['userId']],
      ['no items', {}, ['items']],
      ['an empty items list', { items: [] }, ['items']],
      ['101 items', { items: Array.from({ length: 101 }, () => line) }, ['items']],
      ['items that is not a list', { items: line }, ['items']],
      ['a zero quantity', { items: [{ ...line, quantity: 0 }] }, ['items.0.quantity']],
      ['a fractional quantity', { items: [{ ...line, quantity: 1.5 }] }, ['items.0.quantity']],
      ['a quantity above 10000', { items: [{ ...line, quantity: 10_001 }] }, ['items.0.quantity']],
      ['a price in fractional cents', { items: [{ ...line, unitPriceCents: 19.99 }] }, ['items.0.unitPriceCents']],
      ['a negative price', { items: [{ ...line, unitPriceCents: -1 }] }, ['items.0.unitPriceCents']],
      ['a price sent as a string', { items: [{ ...line, unitPriceCents: '1999' }] }, ['items.0.unitPriceCents']],
      ['an empty sku', { items: [{ ...line, sku: '' }] }, ['items.0.sku']],
      ['a sku with spaces', { items: [{ ...line, sku: 'A B' }] }, ['items.0.sku']],
      ['an unknown field in an item', { items: [{ ...line, discount: 5 }] }, ['items.0.discount']],
    ])('answers 400 COMMON.VALIDATION_FAILED for %s', async (_label, body, fields) => {
      const user = await createUser(suite.baseUrl);
      const res = await api().post('/v1/orders').set('authorization', authFor(user)).send(body);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(fields);
    });
  });

  describe('GET /v1/orders/:id', () => {
    it('answers 404 ORDERS.NOT_FOUND for an unknown id', async () => {
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(await api().get(`/v1/orders/${randomUUID()}`).set('authorization', authFor(admin)), 404, 'ORDERS.NOT_FOUND');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().get('/v1/orders/42').set('authorization', authFor(user));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['id']);
    });
  });

  describe('POST /v1/orders/:id/cancel', () => {
    it('cancels a pending order once; a second cancel is 409 ORDERS.NOT_CANCELLABLE', async () => {
      const user = await createUser(suite.baseUrl);
      const order = await placeOrder(suite.baseUrl, user.id);
      const asUser = authFor(user);
      const res = await api().post(`/v1/orders/${order.id}/cancel`).set('authorization', asUser);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...order, status: 'cancelled', updatedAt: expect.stringMatching(ISO_DATE) });
      expect((await api().get(`/v1/orders/${order.id}`).set('authorization', asUser)).body.status).toBe('cancelled');

      expectProblem(await api().post(`/v1/orders/${order.id}/cancel`).set('authorization', asUser), 409, 'ORDERS.NOT_CANCELLABLE');
      expect((await api().get(`/v1/orders/${order.id}`).set('authorization', asUser)).body.status).toBe('cancelled');
    });

    it('answers 404 ORDERS.NOT_FOUND for an unknown id', async () => {
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(await api().post(`/v1/orders/${randomUUID()}/cancel`).set('authorization', authFor(admin)), 404, 'ORDERS.NOT_FOUND');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      expectProblem(await api().post('/v1/orders/not-a-uuid/cancel').set('authorization', authFor(user)), 400, 'COMMON.VALIDATION_FAILED');
    });
  });

  describe('GET /v1/orders', () => {
    it("pages through one user's orders exactly once, oldest first, and no one else's", async () => {
      const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const placed: string[] = [];
      for (let i = 0; i < 5; i++) {
        placed.push((await placeOrder(suite.baseUrl, ada.id)).id);
        await placeOrder(suite.baseUrl, bob.id);
      }
      const pages = await collectPages<{ id: string; userId: string }>(
        suite.baseUrl,
        '/v1/orders',
        { userId: ada.id, limit: 2 },
        authFor(ada),
      );
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages[pages.length - 1].nextCursor).toBeNull();
      const items = pages.flatMap((p) => p.items);
      expect(items.map((o) => o.id)).toEqual(placed);
      expect(items.every((o) => o.userId === ada.id)).toBe(true);

      const again = await api()
        .get('/v1/orders')
        .set('authorization', authFor(ada))
        .query({ userId: ada.id, limit: 2, cursor: pages[0].nextCursor! });
      expect(again.body).toEqual(pages[1]);
    });

    it("lists the caller's own orders when no userId is given", async () => {
      const [ada, bob]: CreatedUser[] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const adas = [await placeOrder(suite.baseUrl, ada.id), await placeOrder(suite.baseUrl, ada.id)];
      await placeOrder(suite.baseUrl, bob.id);
      const res = await api().get('/v1/orders').set('authorization', authFor(ada));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: adas, nextCursor: null });
    });

    it('answers 400 for a userId that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().get('/v1/orders').set('authorization', authFor(user)).query({ userId: 'ada' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['userId']);
    });

    it.each([['0'], ['101'], ['ten']])('answers 400 for limit=%s', async (limit) => {
      const user = await createUser(suite.baseUrl);
      const res = await api().get('/v1/orders').set('authorization', authFor(user)).query({ userId: user.id, limit });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['limit']);
    });

    it.each([['not-a-cursor'], ['MA']])('answers 400 ORDERS.INVALID_CURSOR for cursor=%s', async (cursor) => {
      const user = await createUser(suite.baseUrl);
      expectProblem(
        await api().get('/v1/orders').set('authorization', authFor(user)).query({ userId: user.id, cursor }),
        400,
        'ORDERS.INVALID_CURSOR',
      );
    });
  });
});
