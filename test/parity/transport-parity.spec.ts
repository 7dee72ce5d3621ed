import 'reflect-metadata';
import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { closeEmbeddedDatabases } from '../../src/common/database/pglite.pool.js';
import { RequestContextStore } from '../../src/common/context/request-context.js';
import { awkwardReply, releaseSlowCalls } from './parity.handlers.js';
import type { Outcome, ParityApp, TransportUnderTest } from './parity.harness.js';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { bootParityApp, normalise, outcome, PARITY_ADMIN_EMAIL, PARITY_DEADLINE_MS } = await import('./parity.harness.js');

/**
 * One contract, run over the in-process bus, over NestJS's TCP transport and over NATS (queue groups) on loopback.
 * Every step asserts its own result and is also written to a transcript; the transcripts of the two
 * runs must match once generated ids, timestamps and tokens are normalised. Every call but the pings
 * and the parity probes carries a credential in its request context, as the gateway would pass it on.
 */

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const JWT = /^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const PASSWORD = 'parity correct horse battery';
/**
 * NATS runs where a server answers (TEST_NATS_URL, default nats://127.0.0.1:4222); elsewhere it is left
 * out with a message, except under CI=true, where it must run.
 */
const natsUrl = new URL(process.env.TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222');
const natsAnswers = await new Promise<boolean>((resolve) => {
  const socket = connect({ host: natsUrl.hostname, port: Number(natsUrl.port || 4222), timeout: 2000 });
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
  socket.once('error', () => resolve(false));
});
if (!natsAnswers && process.env.CI !== 'true') {
  process.stderr.write(
    `[parity] SKIPPED the NATS run: nothing answers at ${natsUrl.href}. Start NATS or set TEST_NATS_URL; under CI=true it runs and ` +
      `fails.\n`,
  );
}
const TRANSPORTS: TransportUnderTest[] = natsAnswers || process.env.CI === 'true' ? ['local', 'tcp', 'nats'] : ['local', 'tcp'];
/** How many steps the contract has on each transport; a step that threw before recording would leave one out. */
const STEPS = 124;
const transcripts: Record<TransportUnderTest, Array<{ step: string; outcome: unknown }>> = { local: [], tcp: [], nats: [] };

const invalid = (details: unknown) => ({
  error: { code: 'COMMON.VALIDATION_FAILED', status: 400, message: 'The request is not valid', details },
});
const failure = (code: string, status: number, message: string) => ({ error: { code, status, message } });
const userNotFound = failure('USERS.NOT_FOUND', 404, 'No user has this id');
const orderNotFound = failure('ORDERS.NOT_FOUND', 404, 'No order has this id');
const noCredential = failure('AUTH.UNAUTHENTICATED', 401, 'A valid bearer access token is required');
const staleCredential = failure('AUTH.UNAUTHENTICATED', 401, 'The token is no longer valid');
const notHere = failure('AUTH.UNAUTHENTICATED', 401, 'The token is not valid here');
const onlyModule = (module: string) => failure('AUTH.FORBIDDEN', 403, `Only the ${module} module may do this`);
/** Events carry a time of their own; a fixed one keeps the transcripts comparable. */
const OCCURRED_AT = '2026-03-04T05:06:07.089Z';
const adminOnly = failure('AUTH.FORBIDDEN', 403, 'Only an administrator may do this');
const notUuid = (field: string) => [{ field, messages: [`${field} must be a UUID`] }];

/** A session as auth.register and auth.login answer it. */
const grant = (id: string, email: string, role: 'user' | 'admin') => ({
  ok: {
    account: { id, email, role },
    accessToken: expect.stringMatching(JWT),
    tokenType: 'Bearer',
    expiresIn: 900,
    refreshToken: expect.stringMatching(JWT),
    refreshExpiresIn: 1_209_600,
  },
});

interface Account {
  id: string;
  authorization: string;
  refreshToken: string;
}

afterAll(async () => {
  await closeEmbeddedDatabases();
});

describe.each(TRANSPORTS)('contract over the %s transport', (transport) => {
  let app: ParityApp;
  let admin: Account;
  const transcript = transcripts[transport];

  /** Runs one call inside a request context (with `authorization`, if given) and records what it produced. */
  async function step(name: string, call: () => Promise<unknown>, authorization?: string): Promise<Outcome> {
    const context = { correlationId: `parity-${transcript.length + 1}`, authorization };
    const result = await RequestContextStore.run(context, () => outcome(call()));
    transcript.push({ step: name, outcome: result });
    return result;
  }

  const okValue = <T>(o: Outcome): T => {
    if (!('ok' in o)) throw new Error(`expected a reply, got ${JSON.stringify(o)}`);
    return o.ok as T;
  };

  /** Registers an account through the auth core (the users core creates its profile from auth's event). */
  async function register(name: string, email: string): Promise<Account> {
    const session = okValue<{ account: { id: string }; accessToken: string; refreshToken: string }>(
      await step(`auth.register ${email}`, () => app.auth.register({ name, email, password: PASSWORD })),
    );
    return { id: session.account.id, authorization: `Bearer ${session.accessToken}`, refreshToken: session.refreshToken };
  }

  /** Signs an existing account in again (a recorded step) and returns its credential. */
  async function relogin(email: string): Promise<{ authorization: string }> {
    const session = okValue<{ accessToken: string }>(
      await step(`auth.login ${email}`, () => app.auth.login({ email, password: PASSWORD })),
    );
    return { authorization: `Bearer ${session.accessToken}` };
  }

  const server = (name: string) => (transport === 'local' ? 'in-process' : `${transport}:${name}`);
  /** Event traffic the relays move in the background, whenever a producer's transaction commits. */
  const isEvent = (pattern: string) => /^[a-z-]+\.events\./.test(pattern);
  /** The requests (not event traffic) that reached a server since `before`, in order. */
  const requestsSince = (before: number) => app.arrivals.slice(before).filter((a) => !isEvent(a.pattern));
  /** The servers and patterns that requests reached since `before`, in order. */
  const hopsSince = (before: number) => requestsSince(before).map((a) => [a.server, a.pattern]);
  /** The event deliveries since `before`, in order. */
  const eventHopsSince = (before: number) =>
    app.arrivals
      .slice(before)
      .filter((a) => isEvent(a.pattern))
      .map((a) => [a.server, a.pattern]);
  const envelope = (name: string, aggregateId: string, payload: object) => ({
    id: randomUUID(),
    name,
    producer: name.split('.')[0],
    aggregateId,
    occurredAt: OCCURRED_AT,
    payload,
  });

  beforeAll(async () => {
    app = await bootParityApp(transport);
  });

  afterAll(async () => {
    releaseSlowCalls();
    await app?.close();
  });

  it(`serves users, orders, auth and the parity handlers over ${transport}`, () => {
    for (const name of ['users', 'orders', 'auth', 'parity']) expect(app.topology.modules[name].transport).toBe(transport);
    expect(app.topology.hosted).toEqual(['users', 'orders', 'auth', 'parity']);
  });

  it('users.ping, orders.ping and auth.ping need no credential', async () => {
    expect(await step('users.ping', () => app.users.ping())).toEqual({ ok: { module: 'users' } });
    expect(await step('orders.ping', () => app.orders.ping())).toEqual({ ok: { module: 'orders' } });
    expect(await step('auth.ping', () => app.auth.ping())).toEqual({ ok: { module: 'auth' } });
  });

  it('auth.register and auth.login: sessions, the admin role, the profile made from the event, and every refusal', async () => {
    const before = app.arrivals.length;
    const registered = await step('auth.register admin', () =>
      app.auth.register({ name: 'Root', email: ` ${PARITY_ADMIN_EMAIL.toUpperCase()} `, password: PASSWORD }),
    );
    const session = okValue<{ account: { id: string }; accessToken: string; refreshToken: string }>(registered);
    expect(registered).toEqual(grant(session.account.id, PARITY_ADMIN_EMAIL, 'admin'));
    admin = { id: session.account.id, authorization: `Bearer ${session.accessToken}`, refreshToken: session.refreshToken };
    // One auth transaction writes the credentials and auth.account-registered; the relay delivered it to
    // the users core, and the registration answered once users had acknowledged it.
    expect(app.arrivals.slice(before).map((a) => [a.server, a.pattern])).toEqual([
      [server('auth'), 'auth.register'],
      [server('users'), 'users.events.deliver'],
    ]);
    expect(await step('users.get registered profile', () => app.users.get({ id: admin.id }), admin.authorization)).toEqual({
      ok: {
        id: admin.id,
        name: 'Root',
        email: PARITY_ADMIN_EMAIL,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });

    expect(
      await step('auth.register taken', () => app.auth.register({ name: 'Root 2', email: PARITY_ADMIN_EMAIL, password: PASSWORD })),
    ).toEqual(failure('AUTH.EMAIL_TAKEN', 409, 'An account with this email already exists'));
    expect(
      await step('auth.register weak', () => app.auth.register({ name: 'Weak', email: 'weak@example.com', password: 'aaaaaaaaaaaa' })),
    ).toEqual(failure('AUTH.WEAK_PASSWORD', 400, 'The password must have at least 5 different characters'));
    expect(
      await step('auth.register invalid', () =>
        app.auth.register({ name: '', email: 'not-an-email', password: PASSWORD, role: 'admin' } as never),
      ),
    ).toEqual(
      invalid([
        { field: 'role', messages: ['property role should not exist'] },
        { field: 'name', messages: ['name must be longer than or equal to 1 characters'] },
        { field: 'email', messages: ['email must be an email'] },
      ]),
    );

    expect(await step('auth.login', () => app.auth.login({ email: PARITY_ADMIN_EMAIL, password: PASSWORD }))).toEqual(
      grant(admin.id, PARITY_ADMIN_EMAIL, 'admin'),
    );
    const wrong = failure('AUTH.INVALID_CREDENTIALS', 401, 'The email or password is wrong');
    expect(await step('auth.login wrong password', () => app.auth.login({ email: PARITY_ADMIN_EMAIL, password: `${PASSWORD}!` }))).toEqual(
      wrong,
    );
    expect(await step('auth.login unknown email', () => app.auth.login({ email: 'nobody@example.com', password: PASSWORD }))).toEqual(
      wrong,
    );

    // A core checks every token itself: a forged signature and a refresh token are refused without asking auth.
    const forged = new JwtService({ secret: 'not-the-parity-secret-0123456789abcdef' }).sign(
      { token_use: 'access', role: 'admin', ver: 1 },
      { subject: admin.id, issuer: 'mm-parity', audience: 'mm-parity-api', expiresIn: 60 },
    );
    const refusedBefore = app.arrivals.length;
    expect(await step('users.get forged token', () => app.users.get({ id: admin.id }), `Bearer ${forged}`)).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The token is invalid or expired'),
    );
    expect(await step('users.get refresh token', () => app.users.get({ id: admin.id }), `Bearer ${admin.refreshToken}`)).toEqual(notHere);
    expect(hopsSince(refusedBefore)).toEqual([
      [server('users'), 'users.get'],
      [server('users'), 'users.get'],
    ]);
  });

  it('auth.register: the profile gets the normalised name and email', async () => {
    const ada = await register('  Ada Lovelace ', ' Ada@Example.COM ');
    expect(await step('users.get normalised profile', () => app.users.get({ id: ada.id }), ada.authorization)).toEqual({
      ok: {
        id: ada.id,
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });
  });

  it("users.get: the caller's own profile; USERS.NOT_FOUND for a missing or another's id; a malformed id", async () => {
    const grace = await register('Grace', 'grace@example.com');
    expect(await step('users.get', () => app.users.get({ id: grace.id }), grace.authorization)).toEqual({
      ok: {
        id: grace.id,
        name: 'Grace',
        email: 'grace@example.com',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });
    expect(await step('users.get missing', () => app.users.get({ id: MISSING }), admin.authorization)).toEqual(userNotFound);
    expect(await step("users.get another's", () => app.users.get({ id: admin.id }), grace.authorization)).toEqual(userNotFound);
    expect(await step('users.get malformed', () => app.users.get({ id: 'nope' }), grace.authorization)).toEqual(invalid(notUuid('id')));
    expect(await step('users.get no token', () => app.users.get({ id: grace.id }))).toEqual(noCredential);
  });

  it('users.list: an admin pages with cursors; refuses a user, a foreign cursor and a bad limit', async () => {
    const first = okValue<{ items: Array<{ email: string }>; nextCursor: string }>(
      await step('users.list page 1', () => app.users.list({ limit: 2 }), admin.authorization),
    );
    expect(first.items.map((u) => u.email)).toEqual([PARITY_ADMIN_EMAIL, 'ada@example.com']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = okValue<{ items: Array<{ email: string }>; nextCursor: string | null }>(
      await step('users.list page 2', () => app.users.list({ limit: 5, cursor: first.nextCursor }), admin.authorization),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ email: 'grace@example.com' })], nextCursor: null });
    const grace = await relogin('grace@example.com');
    expect(await step('users.list as a user', () => app.users.list({ limit: 2 }), grace.authorization)).toEqual(adminOnly);
    expect(await step('users.list bad cursor', () => app.users.list({ cursor: 'LTE' }), admin.authorization)).toEqual(
      failure('USERS.INVALID_CURSOR', 400, 'The cursor is not valid'),
    );
    expect(await step('users.list bad limit', () => app.users.list({ limit: 101 }), admin.authorization)).toEqual(
      invalid([{ field: 'limit', messages: ['limit must not be greater than 100'] }]),
    );
  });

  it("users.update: renames oneself; USERS.NOT_FOUND for a missing or another's id; invalid name", async () => {
    const alan = await register('Alan', 'alan@example.com');
    expect(await step('users.update', () => app.users.update({ id: alan.id, name: ' Alan Turing ' }), alan.authorization)).toEqual({
      ok: expect.objectContaining({ id: alan.id, name: 'Alan Turing', email: 'alan@example.com' }),
    });
    expect(await step('users.update missing', () => app.users.update({ id: MISSING, name: 'x' }), admin.authorization)).toEqual(
      userNotFound,
    );
    expect(await step("users.update another's", () => app.users.update({ id: admin.id, name: 'x' }), alan.authorization)).toEqual(
      userNotFound,
    );
    expect(await step('users.update invalid', () => app.users.update({ id: alan.id, name: 'bad\u0007name' }), alan.authorization)).toEqual(
      invalid([{ field: 'name', messages: ['name must not contain control characters'] }]),
    );
  });

  it('users.delete: deletes once, which ends the account in every core through events; then USERS.NOT_FOUND; a malformed id', async () => {
    const tmp = await register('Tmp', 'tmp@example.com');
    await app.eventsDelivered();
    const before = app.arrivals.length;
    expect(await step('users.delete', () => app.users.delete({ id: tmp.id }), tmp.authorization)).toEqual({
      ok: { id: tmp.id, deleted: true },
    });
    // The users core answers alone; nobody is asked anything on the way.
    expect(hopsSince(before)).toEqual([[server('users'), 'users.delete']]);
    // users.user-deleted reaches auth (which forgets the credentials) and orders; auth.credentials-changed
    // then reaches the users and orders copies.
    await app.eventsDelivered();
    const events = eventHopsSince(before);
    expect([...events].sort()).toEqual([
      [server('auth'), 'auth.events.deliver'],
      [server('orders'), 'orders.events.deliver'],
      [server('orders'), 'orders.events.deliver'],
      [server('users'), 'users.events.deliver'],
    ]);
    expect(events.findIndex(([, p]) => p === 'auth.events.deliver')).toBeLessThan(
      events.findIndex(([, p]) => p === 'users.events.deliver'),
    );

    // So the same token is refused by every core now, the credentials are gone, and an admin meets a missing profile.
    expect(await step('users.delete again', () => app.users.delete({ id: tmp.id }), tmp.authorization)).toEqual(staleCredential);
    expect(await step('orders.list deleted account', () => app.orders.list({}), tmp.authorization)).toEqual(staleCredential);
    expect(await step('auth.login deleted account', () => app.auth.login({ email: 'tmp@example.com', password: PASSWORD }))).toEqual(
      failure('AUTH.INVALID_CREDENTIALS', 401, 'The email or password is wrong'),
    );
    expect(await step('users.delete again as admin', () => app.users.delete({ id: tmp.id }), admin.authorization)).toEqual(userNotFound);
    expect(await step('users.delete malformed', () => app.users.delete({ id: 42 } as never), admin.authorization)).toEqual(
      invalid(notUuid('id')),
    );
  });

  it('orders.place: for the caller; totals in cents; asks users and never auth; ORDERS.USER_NOT_FOUND; validation', async () => {
    const buyer = await register('Buyer', 'buyer@example.com');
    const before = app.arrivals.length;
    const placed = await step(
      'orders.place',
      () =>
        app.orders.place({
          items: [
            { sku: 'BOOK-1', quantity: 3, unitPriceCents: 1999 },
            { sku: 'PEN', quantity: 1, unitPriceCents: 5 },
          ],
        }),
      buyer.authorization,
    );
    expect(placed).toEqual({
      ok: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId: buyer.id,
        status: 'pending',
        items: [
          { sku: 'BOOK-1', quantity: 3, unitPriceCents: 1999, lineTotalCents: 5997 },
          { sku: 'PEN', quantity: 1, unitPriceCents: 5, lineTotalCents: 5 },
        ],
        totalCents: 6002,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });
    // The orders core checked the token against its own copy and asked the users core whether the buyer
    // exists (users checked the token again, locally); nothing reached auth, and every hop carried the
    // caller's correlation id along.
    const correlationId = `parity-${transcript.length}`;
    expect(requestsSince(before)).toEqual([
      { server: server('orders'), pattern: 'orders.place', correlationId },
      { server: server('users'), pattern: 'users.get', correlationId },
    ]);
    expect(app.arrivals.slice(before).filter((a) => a.pattern.startsWith('auth.'))).toEqual([]);

    // A valid token for an account users has no profile of (its registration event not applied yet).
    const strangerBefore = app.arrivals.length;
    expect(
      await step(
        'orders.place unknown profile',
        () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        app.accessAuthorization(randomUUID()),
      ),
    ).toEqual(failure('ORDERS.USER_NOT_FOUND', 422, 'The order names a user that does not exist'));
    expect(hopsSince(strangerBefore)).toEqual([
      [server('orders'), 'orders.place'],
      [server('users'), 'users.get'],
    ]);

    // A deleted account: orders' own copy already refuses its token, so nobody else is asked.
    const gone = await register('Gone', 'gone@example.com');
    okValue(await step('users.delete gone', () => app.users.delete({ id: gone.id }), gone.authorization));
    await app.eventsDelivered();
    const goneBefore = app.arrivals.length;
    expect(
      await step(
        'orders.place deleted account',
        () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        gone.authorization,
      ),
    ).toEqual(staleCredential);
    expect(hopsSince(goneBefore)).toEqual([[server('orders'), 'orders.place']]);

    // No credential: the orders core refuses before asking anyone.
    const anonymousBefore = app.arrivals.length;
    expect(await step('orders.place no token', () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }))).toEqual(
      noCredential,
    );
    expect(hopsSince(anonymousBefore)).toEqual([[server('orders'), 'orders.place']]);
    expect(
      await step(
        'orders.place as a module',
        () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        app.serviceAuthorization('users'),
      ),
    ).toEqual(failure('AUTH.FORBIDDEN', 403, 'This operation acts for a signed-in user'));

    expect(
      await step(
        'orders.place naming an owner',
        () => app.orders.place({ userId: admin.id, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] } as never),
        buyer.authorization,
      ),
    ).toEqual(invalid([{ field: 'userId', messages: ['property userId should not exist'] }]));
    expect(
      await step(
        'orders.place invalid items',
        () =>
          app.orders.place({
            items: [
              { sku: 'OK-1', quantity: 0, unitPriceCents: 1.5, discount: 10 },
              { sku: '-bad', quantity: 1, unitPriceCents: 1 },
            ],
          } as never),
        buyer.authorization,
      ),
    ).toEqual(
      invalid([
        { field: 'items.0.discount', messages: ['property discount should not exist'] },
        { field: 'items.0.quantity', messages: ['quantity must not be less than 1'] },
        { field: 'items.0.unitPriceCents', messages: ['unitPriceCents must be an integer number'] },
        { field: 'items.1.sku', messages: ['sku must be 1-64 letters, digits, dot, dash or underscore'] },
      ]),
    );
    expect(await step('orders.place no items', () => app.orders.place({ items: [] }), buyer.authorization)).toEqual(
      invalid([{ field: 'items', messages: ['items must contain at least 1 elements'] }]),
    );
  });

  it('orders.place with an idempotency key: a replay answers the first order without asking users; another body is refused', async () => {
    const payer = await register('Payer', 'payer@example.com');
    const items = [{ sku: 'BOOK-9', quantity: 1, unitPriceCents: 700 }];
    const first = await step(
      'orders.place with a key',
      () => app.orders.place({ items, idempotencyKey: 'parity-key-1' }),
      payer.authorization,
    );
    expect(first).toEqual({ ok: expect.objectContaining({ userId: payer.id, status: 'pending', totalCents: 700 }) });
    const before = app.arrivals.length;
    expect(
      await step('orders.place replay', () => app.orders.place({ items, idempotencyKey: 'parity-key-1' }), payer.authorization),
    ).toEqual(first);
    expect(hopsSince(before)).toEqual([[server('orders'), 'orders.place']]);
    expect(
      await step(
        'orders.place key reused',
        () => app.orders.place({ items: [{ ...items[0], quantity: 2 }], idempotencyKey: 'parity-key-1' }),
        payer.authorization,
      ),
    ).toEqual(failure('ORDERS.IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was used for a different request'));
    expect(
      await step('orders.place bad key', () => app.orders.place({ items, idempotencyKey: 'has spaces' }), payer.authorization),
    ).toEqual(invalid([{ field: 'idempotencyKey', messages: ['idempotencyKey must be 1-255 visible ASCII characters'] }]));
    const listed = okValue<{ items: Array<{ id: string }> }>(
      await step('orders.list after replay', () => app.orders.list({}), payer.authorization),
    );
    expect(listed.items.map((o) => o.id)).toEqual([okValue<{ id: string }>(first).id]);
  });

  it("orders.get, orders.list and orders.cancel: happy paths, every error, and another user's orders", async () => {
    const lin = await register('Lin', 'lin@example.com');
    const other = await relogin('buyer@example.com');
    const ids: string[] = [];
    for (const sku of ['A', 'B', 'C']) {
      ids.push(
        okValue<{ id: string }>(
          await step(
            `orders.place ${sku}`,
            () => app.orders.place({ items: [{ sku, quantity: 2, unitPriceCents: 50 }] }),
            lin.authorization,
          ),
        ).id,
      );
    }

    expect(await step('orders.get', () => app.orders.get({ id: ids[0] }), lin.authorization)).toEqual({
      ok: expect.objectContaining({ id: ids[0], userId: lin.id, status: 'pending', totalCents: 100 }),
    });
    expect(await step('orders.get missing', () => app.orders.get({ id: MISSING }), lin.authorization)).toEqual(orderNotFound);
    expect(await step("orders.get another's", () => app.orders.get({ id: ids[0] }), other.authorization)).toEqual(orderNotFound);
    expect(await step('orders.get as admin', () => app.orders.get({ id: ids[0] }), admin.authorization)).toEqual({
      ok: expect.objectContaining({ id: ids[0], userId: lin.id }),
    });
    expect(await step('orders.get malformed', () => app.orders.get({ id: 'x' }), lin.authorization)).toEqual(invalid(notUuid('id')));

    const page1 = okValue<{ items: Array<{ id: string }>; nextCursor: string }>(
      await step('orders.list page 1', () => app.orders.list({ userId: lin.id, limit: 2 }), lin.authorization),
    );
    expect(page1.items.map((o) => o.id)).toEqual(ids.slice(0, 2));
    const page2 = okValue<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      await step('orders.list page 2', () => app.orders.list({ userId: lin.id, limit: 2, cursor: page1.nextCursor }), lin.authorization),
    );
    expect(page2.items.map((o) => o.id)).toEqual([ids[2]]);
    expect(page2.nextCursor).toBeNull();
    expect(await step('orders.list bad cursor', () => app.orders.list({ userId: lin.id, cursor: 'Zm9v' }), lin.authorization)).toEqual(
      failure('ORDERS.INVALID_CURSOR', 400, 'The cursor is not valid'),
    );
    // Naming nobody lists the caller's own orders.
    const own = okValue<{ items: Array<{ id: string }> }>(await step('orders.list own', () => app.orders.list({}), lin.authorization));
    expect(own.items.map((o) => o.id)).toEqual(ids);
    expect(await step('orders.list malformed user', () => app.orders.list({ userId: 'x' }), lin.authorization)).toEqual(
      invalid(notUuid('userId')),
    );
    expect(await step("orders.list another's", () => app.orders.list({ userId: lin.id }), other.authorization)).toEqual(
      failure('AUTH.FORBIDDEN', 403, "Only an administrator may list another user's orders"),
    );
    const asAdmin = okValue<{ items: Array<{ id: string }> }>(
      await step('orders.list as admin', () => app.orders.list({ userId: lin.id }), admin.authorization),
    );
    expect(asAdmin.items.map((o) => o.id)).toEqual(ids);

    expect(await step("orders.cancel another's", () => app.orders.cancel({ id: ids[1] }), other.authorization)).toEqual(orderNotFound);
    expect(await step('orders.cancel', () => app.orders.cancel({ id: ids[1] }), lin.authorization)).toEqual({
      ok: expect.objectContaining({ id: ids[1], status: 'cancelled' }),
    });
    expect(await step('orders.cancel again', () => app.orders.cancel({ id: ids[1] }), lin.authorization)).toEqual(
      failure('ORDERS.NOT_CANCELLABLE', 409, 'The order is cancelled; only a pending order can be cancelled'),
    );
    expect(await step('orders.cancel missing', () => app.orders.cancel({ id: MISSING }), lin.authorization)).toEqual(orderNotFound);
    expect(await step('orders.cancel malformed', () => app.orders.cancel({ id: '' }), lin.authorization)).toEqual(invalid(notUuid('id')));
  });

  it('a password change makes every core refuse older tokens; a spent refresh token is refused as reused', async () => {
    const eve = await register('Eve', 'eve@example.com');
    const changed = await step(
      'auth.change-password',
      () => app.auth.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD} two` }),
      eve.authorization,
    );
    const session = okValue<{ accessToken: string; refreshToken: string }>(changed);
    expect(changed).toEqual(grant(eve.id, 'eve@example.com', 'user'));
    const current = `Bearer ${session.accessToken}`;
    // auth.credentials-changed reaches the users and orders copies within the documented bound.
    await app.eventsDelivered(transport === 'local' ? 1000 : 2000);

    expect(await step('users.get stale token', () => app.users.get({ id: eve.id }), eve.authorization)).toEqual(staleCredential);
    expect(await step('orders.list stale token', () => app.orders.list({}), eve.authorization)).toEqual(staleCredential);
    expect(
      await step(
        'auth.change-password stale token',
        () => app.auth.changePassword({ currentPassword: `${PASSWORD} two`, newPassword: `${PASSWORD} three` }),
        eve.authorization,
      ),
    ).toEqual(staleCredential);
    expect(await step('users.get current token', () => app.users.get({ id: eve.id }), current)).toEqual({
      ok: expect.objectContaining({ id: eve.id, email: 'eve@example.com' }),
    });
    expect(await step('auth.refresh revoked', () => app.auth.refresh({ refreshToken: eve.refreshToken }))).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The refresh token is revoked'),
    );

    expect(await step('auth.refresh', () => app.auth.refresh({ refreshToken: session.refreshToken }))).toEqual(
      grant(eve.id, 'eve@example.com', 'user'),
    );
    expect(await step('auth.refresh reused', () => app.auth.refresh({ refreshToken: session.refreshToken }))).toEqual(
      failure('AUTH.REFRESH_REUSED', 401, 'The refresh token was already used; sign in again'),
    );
  });

  it('<m>.events.deliver: only the producer, with its service token; a duplicate answers duplicate', async () => {
    await app.eventsDelivered();
    const deliver = (module: string, event: object) => () => app.channel(module).send(`${module}.events.deliver`, { event });
    const asAuth = app.serviceAuthorization('auth');
    const asUsers = app.serviceAuthorization('users');
    const newcomer = randomUUID();
    const registered = envelope('auth.account-registered', newcomer, {
      userId: newcomer,
      name: 'Delivered',
      email: 'delivered@example.com',
    });
    const before = app.arrivals.length;
    expect(await step('users.events.deliver', deliver('users', registered), asAuth)).toEqual({ ok: { outcome: 'applied' } });
    expect(await step('users.events.deliver duplicate', deliver('users', registered), asAuth)).toEqual({ ok: { outcome: 'duplicate' } });
    expect(app.arrivals.slice(before).map((a) => [a.server, a.pattern])).toEqual([
      [server('users'), 'users.events.deliver'],
      [server('users'), 'users.events.deliver'],
    ]);
    expect(await step('users.get delivered profile', () => app.users.get({ id: newcomer }), admin.authorization)).toEqual({
      ok: {
        id: newcomer,
        name: 'Delivered',
        email: 'delivered@example.com',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      },
    });

    const other = randomUUID();
    const another = envelope('auth.account-registered', other, { userId: other, name: 'Nobody', email: 'nobody@example.com' });
    expect(await step('users.events.deliver as another module', deliver('users', another), app.serviceAuthorization('orders'))).toEqual(
      onlyModule('auth'),
    );
    expect(await step('users.events.deliver user token', deliver('users', another), admin.authorization)).toEqual(notHere);
    expect(await step('users.events.deliver no token', deliver('users', another))).toEqual(noCredential);
    expect(
      await step(
        'users.events.deliver not consumed',
        deliver('users', envelope('users.user-deleted', newcomer, { userId: newcomer })),
        asUsers,
      ),
    ).toEqual(failure('AUTH.FORBIDDEN', 403, 'The users module does not consume users.user-deleted'));
    expect(await step('users.events.deliver invalid', deliver('users', { ...another, id: 'x', occurredAt: 'yesterday' }), asAuth)).toEqual(
      invalid([
        { field: 'event.id', messages: ['id must be a UUID'] },
        { field: 'event.occurredAt', messages: ['occurredAt must be a valid ISO 8601 date string'] },
      ]),
    );
    // None of the refused deliveries had an effect.
    expect(await step('users.get undelivered profile', () => app.users.get({ id: other }), admin.authorization)).toEqual(userNotFound);

    // An account nobody has orders or credentials for: the event changes nothing but is recorded once.
    const stranger = randomUUID();
    const deleted = envelope('users.user-deleted', stranger, { userId: stranger });
    for (const module of ['orders', 'auth']) {
      expect(await step(`${module}.events.deliver`, deliver(module, deleted), asUsers)).toEqual({ ok: { outcome: 'applied' } });
      expect(await step(`${module}.events.deliver duplicate`, deliver(module, deleted), asUsers)).toEqual({ ok: { outcome: 'duplicate' } });
      expect(
        await step(
          `${module}.events.deliver as another module`,
          deliver(module, envelope('users.user-deleted', stranger, { userId: stranger })),
          asAuth,
        ),
      ).toEqual(onlyModule('users'));
      expect(await step(`${module}.events.deliver user token`, deliver(module, deleted), admin.authorization)).toEqual(notHere);
      expect(await step(`${module}.events.deliver no token`, deliver(module, deleted))).toEqual(noCredential);
    }
  });

  it('<m>.events.fetch and <m>.events.ack: only the consumer named, with its service token', async () => {
    await app.eventsDelivered();
    const fetch =
      (producer: string, consumer: string, extra: object = {}) =>
      () =>
        app.channel(producer).send(`${producer}.events.fetch`, { consumer, limit: 10, waitMs: 0, ...extra });
    const ack = (producer: string, consumer: string, results: object[]) => () =>
      app.channel(producer).send(`${producer}.events.ack`, { consumer, results });
    const before = app.arrivals.length;
    // Every consumer here is pushed to, so nothing is left to fetch once the relays are done.
    expect(await step('users.events.fetch', fetch('users', 'orders'), app.serviceAuthorization('orders'))).toEqual({ ok: { events: [] } });
    expect(await step('auth.events.fetch', fetch('auth', 'users'), app.serviceAuthorization('users'))).toEqual({ ok: { events: [] } });
    expect(await step('orders.events.fetch', fetch('orders', 'auth'), app.serviceAuthorization('auth'))).toEqual({ ok: { events: [] } });
    expect(app.arrivals.slice(before).map((a) => [a.server, a.pattern])).toEqual([
      [server('users'), 'users.events.fetch'],
      [server('auth'), 'auth.events.fetch'],
      [server('orders'), 'orders.events.fetch'],
    ]);
    expect(await step('users.events.fetch as another module', fetch('users', 'orders'), app.serviceAuthorization('auth'))).toEqual(
      onlyModule('orders'),
    );
    expect(await step('auth.events.fetch user token', fetch('auth', 'users'), admin.authorization)).toEqual(notHere);
    expect(await step('orders.events.fetch no token', fetch('orders', 'auth'))).toEqual(noCredential);
    expect(
      await step('users.events.fetch invalid', fetch('users', 'orders', { limit: 0, waitMs: 60_000 }), app.serviceAuthorization('orders')),
    ).toEqual(
      invalid([
        { field: 'limit', messages: ['limit must not be less than 1'] },
        { field: 'waitMs', messages: ['waitMs must not be greater than 30000'] },
      ]),
    );

    // An outcome for an event the producer does not have changes nothing; the count is of the results received.
    const unknown = [{ eventId: randomUUID(), outcome: 'applied' }];
    expect(await step('users.events.ack', ack('users', 'orders', unknown), app.serviceAuthorization('orders'))).toEqual({
      ok: { recorded: 1 },
    });
    expect(await step('auth.events.ack', ack('auth', 'users', []), app.serviceAuthorization('users'))).toEqual({ ok: { recorded: 0 } });
    expect(await step('orders.events.ack as another module', ack('orders', 'auth', unknown), app.serviceAuthorization('users'))).toEqual(
      onlyModule('auth'),
    );
    expect(await step('auth.events.ack user token', ack('auth', 'users', unknown), admin.authorization)).toEqual(notHere);
    expect(await step('users.events.ack no token', ack('users', 'orders', unknown))).toEqual(noCredential);
    expect(
      await step('auth.events.ack invalid', ack('auth', 'users', [{ eventId: 'x', outcome: 'lost' }]), app.serviceAuthorization('users')),
    ).toEqual(
      invalid([
        { field: 'results.0.eventId', messages: ['eventId must be a UUID'] },
        { field: 'results.0.outcome', messages: ['outcome must be one of the following values: applied, duplicate, failed, skipped'] },
      ]),
    );
  });

  it('a pattern nobody handles: BUS.UNKNOWN_PATTERN (502)', async () => {
    expect(await step('unknown pattern', () => app.parity.send('parity.frobnicate', {}))).toEqual(
      failure('BUS.UNKNOWN_PATTERN', 502, 'The parity module does not handle this message'),
    );
  });

  it('parity.echo: the reply is changed exactly as JSON changes it', async () => {
    const reply = await step('parity.echo', () => app.parity.send('parity.echo', {}));
    expect(reply).toStrictEqual({ ok: JSON.parse(JSON.stringify(awkwardReply())) });
    expect(reply).toStrictEqual({
      ok: {
        at: '2026-03-04T05:06:07.089Z',
        price: { cents: 1999, currency: 'EUR' },
        tags: {},
        index: {},
        notANumber: null,
        infinite: null,
        nested: [[1, [2, [null, '2026-03-04T05:06:07.089Z']]], [], [{ deep: { deeper: [null, null] } }]],
        text: 'ünïcødé ✓ "quoted" \\ \n',
        big: Number.MAX_SAFE_INTEGER,
        negativeZero: 0,
      },
    });
  });

  it('parity.void: a handler that returns nothing answers with no value, not a failure', async () => {
    expect(await step('parity.void', () => app.parity.send('parity.void', {}))).toStrictEqual({ ok: undefined });
  });

  it('parity.slow: a handler slower than the deadline gives BUS.TIMEOUT (504)', async () => {
    const started = Date.now();
    expect(await step('parity.slow', () => app.parity.send('parity.slow', {}))).toEqual(
      failure('BUS.TIMEOUT', 504, `The parity module did not answer within ${PARITY_DEADLINE_MS} ms`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(PARITY_DEADLINE_MS - 10);
    releaseSlowCalls();
    // The channel still works after a timed-out call.
    expect(await step('users.ping after timeout', () => app.users.ping())).toEqual({ ok: { module: 'users' } });
  });
});

describe('parity between transports', () => {
  it.each(TRANSPORTS.filter((t) => t !== 'local'))('the in-process and %s runs produced the same transcript', (transport) => {
    // Every step of the contract ran on both transports (a step that threw would be missing).
    expect(transcripts.local).toHaveLength(STEPS);
    expect(transcripts[transport].map((s) => s.step)).toEqual(transcripts.local.map((s) => s.step));
    expect(normalise(transcripts[transport])).toStrictEqual(normalise(transcripts.local));
  });

  it('normalising hides only generated ids, timestamps and the variable parts of tokens', () => {
    const a = normalise([{ id: MISSING, createdAt: '2026-01-01T00:00:00.000Z', at: '2026-01-01T00:00:00.000Z' }, { userId: MISSING }]);
    expect(a).toEqual([{ id: '<id:1>', createdAt: '<time>', at: '2026-01-01T00:00:00.000Z' }, { userId: '<id:1>' }]);
    expect(normalise({ totalCents: 1, status: 'pending' })).not.toEqual(normalise({ totalCents: 2, status: 'pending' }));
    const jwt = new JwtService({ secret: 'a-normalising-secret-0123456789abcdef' });
    const [access, refresh] = ['access', 'refresh'].map((use) => jwt.sign({ token_use: use }, { subject: MISSING, expiresIn: 60 }));
    expect(normalise({ accessToken: access, refreshToken: refresh })).toEqual({
      accessToken: '<jwt:access>',
      refreshToken: '<jwt:refresh>',
    });
  });
});
