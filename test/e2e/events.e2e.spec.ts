import request from 'supertest';
import { authFor, createAdmin, createUser, placeOrder } from '../support/api-fixtures.js';
import { bearer, login, register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { selectedTopology } from '../support/topologies.js';

/**
 * What modules learn from each other's events, whatever the topology: a deleted account's pending
 * orders are cancelled and its credentials forgotten; a password change revokes the old access tokens
 * in every core within the documented bound (1 s in one process, 2 s across processes).
 */
const REVOCATION_BOUND_MS = selectedTopology() === 'monolith' ? 1000 : 2000;

/** Polls `check` until it holds or `ms` pass; resolves to how long it took, or rejects with the last state. */
async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

describe('events between modules', () => {
  const suite = useE2eSuite('events');
  const api = () => request(suite.baseUrl);

  it('a password change revokes older access tokens in the users and orders cores within the bound', async () => {
    const ada = await register(suite.baseUrl);
    const old = bearer(ada.accessToken);
    expect((await api().get('/v1/users/me').set('authorization', old)).status).toBe(200);
    expect((await api().get('/v1/orders').set('authorization', old)).status).toBe(200);

    const changed = await api()
      .patch('/v1/auth/password')
      .set('authorization', old)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'a different long passphrase' });
    expect(changed.status).toBe(200);
    const refused = async (path: string) => {
      const res = await api().get(path).set('authorization', old);
      return res.status === 401 && res.body.code === 'AUTH.UNAUTHENTICATED';
    };
    const [users, orders] = await Promise.all([
      within(REVOCATION_BOUND_MS, () => refused('/v1/users/me'), 'GET /v1/users/me refusing the old token'),
      within(REVOCATION_BOUND_MS, () => refused('/v1/orders'), 'GET /v1/orders refusing the old token'),
    ]);
    expect(Math.max(users, orders)).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    // The new token works everywhere.
    const fresh = bearer(changed.body.accessToken);
    expect((await api().get('/v1/users/me').set('authorization', fresh)).status).toBe(200);
    expect(
      (
        await api()
          .post('/v1/orders')
          .set('authorization', fresh)
          .send({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] })
      ).status,
    ).toBe(201);
  });

  it("deleting a user cancels that user's pending orders only, forgets the credentials and refuses the old tokens", async () => {
    const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
    const adaOrders = [await placeOrder(suite.baseUrl, ada.id), await placeOrder(suite.baseUrl, ada.id)];
    const bobOrder = await placeOrder(suite.baseUrl, bob.id);
    // One of Ada's orders was already cancelled by her: it stays cancelled "as requested".
    expect((await api().post(`/v1/orders/${adaOrders[1].id}/cancel`).set('authorization', authFor(ada))).status).toBe(200);

    expect((await api().delete(`/v1/users/${ada.id}`).set('authorization', authFor(ada))).status).toBe(204);

    const rows = () =>
      suite.db.query<{ id: string; status: string; cancel_reason: string | null }>(
        'SELECT id, status, cancel_reason FROM orders.orders WHERE user_id = $1 ORDER BY seq',
        [ada.id],
      );
    await within(
      5000,
      async () => (await rows()).every((o) => o.status === 'cancelled') && (await rows())[0].cancel_reason === 'account-deleted',
      "cancelling Ada's pending order",
    );
    expect(await rows()).toEqual([
      { id: adaOrders[0].id, status: 'cancelled', cancel_reason: 'account-deleted' },
      { id: adaOrders[1].id, status: 'cancelled', cancel_reason: 'requested' },
    ]);
    const bobRows = await suite.db.query('SELECT status FROM orders.orders WHERE id = $1', [bobOrder.id]);
    expect(bobRows).toEqual([{ status: 'pending' }]);

    await within(
      5000,
      async () => (await suite.db.query('SELECT 1 FROM auth.credentials WHERE user_id = $1', [ada.id])).length === 0,
      "forgetting Ada's credentials",
    );
    const signIn = await api().post('/v1/auth/login').send({ email: ada.email, password: TEST_PASSWORD });
    expect(signIn.status).toBe(401);
    expect(signIn.body.code).toBe('AUTH.INVALID_CREDENTIALS');
    await within(
      REVOCATION_BOUND_MS,
      async () => (await api().get('/v1/orders').set('authorization', authFor(ada))).status === 401,
      "the orders core refusing Ada's token",
    );
    // Each event was applied once by each consumer.
    const [{ count }] = await suite.db.query<{ count: string }>("SELECT count(*) FROM orders.inbox WHERE name = 'users.user-deleted'");
    expect(Number(count)).toBe(1);
  });

  it('registration creates the profile through the users core before it answers', async () => {
    const session = await register(suite.baseUrl, { name: 'Mary Somerville' });
    const me = await api().get('/v1/users/me').set('authorization', bearer(session.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: session.userId, name: 'Mary Somerville', email: session.email });
    // The same email again is refused, and no second profile or credential appears.
    const again = await api().post('/v1/auth/register').send({ name: 'Mary Again', email: session.email, password: TEST_PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('AUTH.EMAIL_TAKEN');
    expect(await suite.db.query('SELECT id FROM users.users WHERE email = $1', [session.email])).toEqual([{ id: session.userId }]);
    await login(suite.baseUrl, session.email, TEST_PASSWORD);
  });
});

describe('Idempotency-Key on POST /v1/orders', () => {
  const suite = useE2eSuite('idempotency');
  const items = [{ sku: 'BOOK-0042', quantity: 2, unitPriceCents: 1999 }];
  const place = (authorization: string, key: string | undefined, body: object = { items }) => {
    const req = request(suite.baseUrl).post('/v1/orders').set('authorization', authorization);
    return (key === undefined ? req : req.set('idempotency-key', key)).send(body);
  };
  const ordersOf = (userId: string) => suite.db.query<{ id: string }>('SELECT id FROM orders.orders WHERE user_id = $1', [userId]);

  it('answers a replay with the original status and body, without a second order', async () => {
    const ada = await createUser(suite.baseUrl);
    const first = await place(authFor(ada), 'order-2026-11-22-1');
    expect(first.status).toBe(201);
    const replay = await place(authFor(ada), 'order-2026-11-22-1');
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(await ordersOf(ada.id)).toEqual([{ id: first.body.id }]);
    // The key is the caller's own: another user with the same key places their own order.
    const bob = await createUser(suite.baseUrl);
    const bobs = await place(authFor(bob), 'order-2026-11-22-1');
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
  });

  it('refuses the same key with another body, and a malformed key', async () => {
    const ada = await createUser(suite.baseUrl);
    expect((await place(authFor(ada), 'k-1')).status).toBe(201);
    const other = await place(authFor(ada), 'k-1', { items: [{ sku: 'OTHER', quantity: 1, unitPriceCents: 5 }] });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REUSED');
    const bad = await place(authFor(ada), 'with space');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('COMMON.VALIDATION_FAILED');
    expect(bad.body.errors).toEqual([{ field: 'idempotencyKey', messages: ['idempotencyKey must be 1-255 visible ASCII characters'] }]);
    expect(await ordersOf(ada.id)).toHaveLength(1);
  });

  it('creates one order for 20 concurrent requests with one key, and answers each with it', async () => {
    const ada = await createUser(suite.baseUrl);
    const answers = await Promise.all(Array.from({ length: 20 }, () => place(authFor(ada), 'concurrent-1')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect(await ordersOf(ada.id)).toEqual([{ id: [...ids][0] }]);
  });

  it('does not let an admin replay stand for another user', async () => {
    const root = await createAdmin(suite.baseUrl);
    const res = await place(authFor(root), 'admin-key');
    expect(res.status).toBe(201);
    expect(res.body.userId).toBe(root.id);
  });
});
