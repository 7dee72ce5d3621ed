import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { collectPages, createUser, placeOrder, SAMPLE_LINES } from '../support/api-fixtures.js';
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
      const res = await api().post('/v1/orders').send({ userId: user.id, items: SAMPLE_LINES });
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
      const read = await api().get(`/v1/orders/${res.body.id}`);
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
      const res = await api().post('/v1/orders').send({ userId: user.id, items: SAMPLE_LINES, ...extra });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([field]);
      expect((await api().get('/v1/orders').query({ userId: user.id })).body.items).toEqual([]);
    });

    it('answers 422 ORDERS.USER_NOT_FOUND for a user that does not exist, and stores nothing', async () => {
      const userId = randomUUID();
      expectProblem(await api().post('/v1/orders').send({ userId, items: SAMPLE_LINES }), 422, 'ORDERS.USER_NOT_FOUND');
      const list = await api().get('/v1/orders').query({ userId });
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ items: [], nextCursor: null });
    });

    it('answers 422 ORDERS.USER_NOT_FOUND for a user that was deleted', async () => {
      const user = await createUser(suite.baseUrl);
      await api().delete(`/v1/users/${user.id}`).expect(204);
      expectProblem(await api().post('/v1/orders').send({ userId: user.id, items: SAMPLE_LINES }), 422, 'ORDERS.USER_NOT_FOUND');
    });

    const line = SAMPLE_LINES[0];
    it.each([
      ['a userId that is not a uuid', { userId: 'nope', items: [line] }, ['userId']],
      ['no userId', { items: [line] }, ['userId']],
      ['no items', { userId: randomUUID() }, ['items']],
      ['an empty items list', { userId: randomUUID(), items: [] }, ['items']],
      ['101 items', { userId: randomUUID(), items: Array.from({ length: 101 }, () => line) }, ['items']],
      ['items that is not a list', { userId: randomUUID(), items: line }, ['items']],
      ['a zero quantity', { userId: randomUUID(), items: [{ ...line, quantity: 0 }] }, ['items.0.quantity']],
      ['a fractional quantity', { userId: randomUUID(), items: [{ ...line, quantity: 1.5 }] }, ['items.0.quantity']],
      ['a quantity above 10000', { userId: randomUUID(), items: [{ ...line, quantity: 10_001 }] }, ['items.0.quantity']],
      ['a price in fractional cents', { userId: randomUUID(), items: [{ ...line, unitPriceCents: 19.99 }] }, ['items.0.unitPriceCents']],
      ['a negative price', { userId: randomUUID(), items: [{ ...line, unitPriceCents: -1 }] }, ['items.0.unitPriceCents']],
      ['a price sent as a string', { userId: randomUUID(), items: [{ ...line, unitPriceCents: '1999' }] }, ['items.0.unitPriceCents']],
      ['an empty sku', { userId: randomUUID(), items: [{ ...line, sku: '' }] }, ['items.0.sku']],
      ['a sku with spaces', { userId: randomUUID(), items: [{ ...line, sku: 'A B' }] }, ['items.0.sku']],
      ['an unknown field in an item', { userId: randomUUID(), items: [{ ...line, discount: 5 }] }, ['items.0.discount']],
    ])('answers 400 COMMON.VALIDATION_FAILED for %s', async (_label, body, fields) => {
      const res = await api().post('/v1/orders').send(body);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(fields);
    });
  });

  describe('GET /v1/orders/:id', () => {
    it('answers 404 ORDERS.NOT_FOUND for an unknown id', async () => {
      expectProblem(await api().get(`/v1/orders/${randomUUID()}`), 404, 'ORDERS.NOT_FOUND');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const res = await api().get('/v1/orders/42');
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['id']);
    });
  });

  describe('POST /v1/orders/:id/cancel', () => {
    it('cancels a pending order once; a second cancel is 409 ORDERS.NOT_CANCELLABLE', async () => {
      const user = await createUser(suite.baseUrl);
      const order = await placeOrder(suite.baseUrl, user.id);
      const res = await api().post(`/v1/orders/${order.id}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...order, status: 'cancelled', updatedAt: expect.stringMatching(ISO_DATE) });
      expect((await api().get(`/v1/orders/${order.id}`)).body.status).toBe('cancelled');

      expectProblem(await api().post(`/v1/orders/${order.id}/cancel`), 409, 'ORDERS.NOT_CANCELLABLE');
      expect((await api().get(`/v1/orders/${order.id}`)).body.status).toBe('cancelled');
    });

    it('answers 404 ORDERS.NOT_FOUND for an unknown id', async () => {
      expectProblem(await api().post(`/v1/orders/${randomUUID()}/cancel`), 404, 'ORDERS.NOT_FOUND');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      expectProblem(await api().post('/v1/orders/not-a-uuid/cancel'), 400, 'COMMON.VALIDATION_FAILED');
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
      const pages = await collectPages<{ id: string; userId: string }>(suite.baseUrl, '/v1/orders', { userId: ada.id, limit: 2 });
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages[pages.length - 1].nextCursor).toBeNull();
      const items = pages.flatMap((p) => p.items);
      expect(items.map((o) => o.id)).toEqual(placed);
      expect(items.every((o) => o.userId === ada.id)).toBe(true);

      const again = await api().get('/v1/orders').query({ userId: ada.id, limit: 2, cursor: pages[0].nextCursor! });
      expect(again.body).toEqual(pages[1]);
    });

    it('requires a userId', async () => {
      const res = await api().get('/v1/orders');
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['userId']);
    });

    it('answers 400 for a userId that is not a uuid', async () => {
      const res = await api().get('/v1/orders').query({ userId: 'ada' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['userId']);
    });

    it.each([['0'], ['101'], ['ten']])('answers 400 for limit=%s', async (limit) => {
      const res = await api().get('/v1/orders').query({ userId: randomUUID(), limit });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['limit']);
    });

    it.each([['not-a-cursor'], ['MA']])('answers 400 ORDERS.INVALID_CURSOR for cursor=%s', async (cursor) => {
      expectProblem(await api().get('/v1/orders').query({ userId: randomUUID(), cursor }), 400, 'ORDERS.INVALID_CURSOR');
    });
  });
});
