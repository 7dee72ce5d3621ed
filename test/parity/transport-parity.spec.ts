import 'reflect-metadata';
import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { closeEmbeddedDatabases } from '../../src/common/database/pglite.pool.js';
import { RequestContextStore } from '../../src/common/context/request-context.js';
import { awkwardReply, releaseSlowCalls } from './parity.handlers.js';
import type { Outcome, ParityApp, TransportUnderTest } from './parity.harness.js';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { bootParityApp, normalise, outcome, PARITY_ADMIN_EMAIL, PARITY_DEADLINE_MS } = await import('./parity.harness.js');

/**
 * One contract, run once over the in-process bus and once over NestJS's TCP transport on loopback.
 * Every step asserts its own result and is also written to a transcript; the transcripts of the two
 * runs must match once generated ids, timestamps and tokens are normalised. Every call but the pings
 * and the parity probes carries a credential in its request context, as the gateway would pass it on.
 */

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const JWT = /^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const PASSWORD = 'parity correct horse battery';
const TRANSPORTS: TransportUnderTest[] = ['local', 'tcp'];
/** How many steps the contract has on each transport; a step that threw before recording would leave one out. */
const STEPS = 87;
const transcripts: Record<TransportUnderTest, Array<{ step: string; outcome: unknown }>> = { local: [], tcp: [] };

const invalid = (details: unknown) => ({
  error: { code: 'COMMON.VALIDATION_FAILED', status: 400, message: 'The request is not valid', details },
});
const failure = (code: string, status: number, message: string) => ({ error: { code, status, message } });
const userNotFound = failure('USERS.NOT_FOUND', 404, 'No user has this id');
const orderNotFound = failure('ORDERS.NOT_FOUND', 404, 'No order has this id');
const noCredential = failure('AUTH.UNAUTHENTICATED', 401, 'A valid bearer access token is required');
const staleCredential = failure('AUTH.UNAUTHENTICATED', 401, 'The token is no longer valid');
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

  /** Registers an account through the auth core (which creates its profile through users.create). */
  async function register(name: string, email: string): Promise<Account> {
    const session = okValue<{ account: { id: string }; accessToken: string; refreshToken: string }>(
      await step(`auth.register ${email}`, () => app.auth.register({ name, email, password: PASSWORD })),
    );
    return { id: session.account.id, authorization: `Bearer ${session.accessToken}`, refreshToken: session.refreshToken };
  }

  /** Signs an existing account in again (a recorded step) and returns its credential. */
  async function relogin(email: string): Promise<{ authorization: string }> {
    const session = okValue<{ accessToken: string }>(await step(`auth.login ${email}`, () => app.auth.login({ email, password: PASSWORD })));
    return { authorization: `Bearer ${session.accessToken}` };
  }

  const server = (name: string) => (transport === 'local' ? 'in-process' : `tcp:${name}`);
  /** The servers and patterns that messages reached since `before`, in order. */
  const hopsSince = (before: number) => app.arrivals.slice(before).map((a) => [a.server, a.pattern]);

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

  it('auth.register, auth.login and auth.verify: sessions, the admin role, and every refusal', async () => {
    const before = app.arrivals.length;
    const registered = await step('auth.register admin', () => app.auth.register({ name: 'Root', email: ` ${PARITY_ADMIN_EMAIL.toUpperCase()} `, password: PASSWORD }));
    const session = okValue<{ account: { id: string }; accessToken: string; refreshToken: string }>(registered);
    expect(registered).toEqual(grant(session.account.id, PARITY_ADMIN_EMAIL, 'admin'));
    admin = { id: session.account.id, authorization: `Bearer ${session.accessToken}`, refreshToken: session.refreshToken };
    // The auth core created the profile over the bus, as itself: no caller token to verify.
    expect(hopsSince(before)).toEqual([[server('auth'), 'auth.register'], [server('users'), 'users.create']]);

    expect(await step('auth.register taken', () => app.auth.register({ name: 'Root 2', email: PARITY_ADMIN_EMAIL, password: PASSWORD }))).toEqual(
      failure('AUTH.EMAIL_TAKEN', 409, 'An account with this email already exists'),
    );
    expect(await step('auth.register weak', () => app.auth.register({ name: 'Weak', email: 'weak@example.com', password: 'aaaaaaaaaaaa' }))).toEqual(
      failure('AUTH.WEAK_PASSWORD', 400, 'The password must have at least 5 different characters'),
    );
    expect(
      await step('auth.register invalid', () => app.auth.register({ name: '', email: 'not-an-email', password: PASSWORD, role: 'admin' } as never)),
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
    expect(await step('auth.login wrong password', () => app.auth.login({ email: PARITY_ADMIN_EMAIL, password: `${PASSWORD}!` }))).toEqual(wrong);
    expect(await step('auth.login unknown email', () => app.auth.login({ email: 'nobody@example.com', password: PASSWORD }))).toEqual(wrong);

    expect(await step('auth.verify', () => app.auth.verify(), admin.authorization)).toEqual({ ok: { userId: admin.id, role: 'admin', version: 1 } });
    expect(await step('auth.verify no token', () => app.auth.verify())).toEqual(noCredential);
    const forged = new JwtService({ secret: 'not-the-parity-secret-0123456789abcdef' }).sign(
      { token_use: 'access', role: 'admin', ver: 1 }, { subject: admin.id, issuer: 'mm-parity', audience: 'mm-parity-api', expiresIn: 60 },
    );
    expect(await step('auth.verify forged', () => app.auth.verify(), `Bearer ${forged}`)).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The token is invalid or expired'),
    );
    expect(await step('auth.verify refresh token', () => app.auth.verify(), `Bearer ${admin.refreshToken}`)).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The token is not valid here'),
    );
  });

  it("users.create: stores a normalised user under the caller's id, for a module only; refuses a taken email and invalid input", async () => {
    const service = app.serviceAuthorization();
    const id = randomUUID();
    const created = okValue<Record<string, string>>(
      await step('users.create', () => app.users.create({ id, name: '  Ada Lovelace ', email: ' Ada@Example.COM ' }), service),
    );
    expect(created).toEqual({
      id,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      createdAt: expect.stringMatching(ISO),
      updatedAt: created.createdAt,
    });
    expect(await step('users.create taken', () => app.users.create({ id: randomUUID(), name: 'Ada again', email: 'ADA@example.com' }), service)).toEqual(
      failure('USERS.EMAIL_TAKEN', 409, 'A user with this email already exists'),
    );
    expect(
      await step('users.create invalid', () => app.users.create({ id: 'x', name: '', email: 'not-an-email', role: 'admin' } as never), service),
    ).toEqual(
      invalid([
        { field: 'role', messages: ['property role should not exist'] },
        { field: 'id', messages: ['id must be a UUID'] },
        { field: 'name', messages: ['name must be longer than or equal to 1 characters'] },
        { field: 'email', messages: ['email must be an email'] },
      ]),
    );
    const attempt = () => app.users.create({ id: randomUUID(), name: 'Mallory', email: 'mallory@example.com' });
    expect(await step('users.create as a user', attempt, admin.authorization)).toEqual(
      failure('AUTH.FORBIDDEN', 403, 'Only another module may do this'),
    );
    expect(await step('users.create no token', attempt)).toEqual(noCredential);
  });

  it("users.get: the caller's own profile; USERS.NOT_FOUND for a missing or another's id; a malformed id", async () => {
    const grace = await register('Grace', 'grace@example.com');
    expect(await step('users.get', () => app.users.get({ id: grace.id }), grace.authorization)).toEqual({
      ok: { id: grace.id, name: 'Grace', email: 'grace@example.com', createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) },
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
    expect(await step('users.update missing', () => app.users.update({ id: MISSING, name: 'x' }), admin.authorization)).toEqual(userNotFound);
    expect(await step("users.update another's", () => app.users.update({ id: admin.id, name: 'x' }), alan.authorization)).toEqual(userNotFound);
    expect(await step('users.update invalid', () => app.users.update({ id: alan.id, name: 'bad\u0007name' }), alan.authorization)).toEqual(
      invalid([{ field: 'name', messages: ['name must not contain control characters'] }]),
    );
  });

  it('users.delete: deletes once; then USERS.NOT_FOUND; a malformed id', async () => {
    const tmp = await register('Tmp', 'tmp@example.com');
    const before = app.arrivals.length;
    expect(await step('users.delete', () => app.users.delete({ id: tmp.id }), tmp.authorization)).toEqual({ ok: { id: tmp.id, deleted: true } });
    // Deleting the profile ends the account: auth suspends the credentials first and forgets them after.
    expect(hopsSince(before)).toEqual([
      [server('users'), 'users.delete'],
      [server('auth'), 'auth.verify'],
      [server('auth'), 'auth.suspend'],
      [server('auth'), 'auth.forget'],
    ]);
    // So the same token is refused now, and an admin meets a missing profile.
    expect(await step('users.delete again', () => app.users.delete({ id: tmp.id }), tmp.authorization)).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The token is no longer valid'),
    );
    expect(await step('users.delete again as admin', () => app.users.delete({ id: tmp.id }), admin.authorization)).toEqual(userNotFound);
    expect(await step('users.delete malformed', () => app.users.delete({ id: 42 } as never), admin.authorization)).toEqual(invalid(notUuid('id')));
  });

  it("orders.place: for the caller; totals in cents; verifies the caller's token in every core it crosses; ORDERS.USER_NOT_FOUND; validation", async () => {
    const buyer = await register('Buyer', 'buyer@example.com');
    const before = app.arrivals.length;
    const placed = await step('orders.place', () =>
      app.orders.place({ items: [{ sku: 'BOOK-1', quantity: 3, unitPriceCents: 1999 }, { sku: 'PEN', quantity: 1, unitPriceCents: 5 }] }),
    buyer.authorization);
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
    // The orders core asked auth about the caller's token, then the users core, which asked auth again;
    // every hop carried the caller's correlation id along.
    const correlationId = `parity-${transcript.length}`;
    expect(app.arrivals.slice(before)).toEqual([
      { server: server('orders'), pattern: 'orders.place', correlationId },
      { server: server('auth'), pattern: 'auth.verify', correlationId },
      { server: server('users'), pattern: 'users.get', correlationId },
      { server: server('auth'), pattern: 'auth.verify', correlationId },
    ]);

    // A caller with valid credentials whose profile is gone (as when the auth module removes a profile
    // while undoing a registration, leaving the credentials to itself): the nearest case to an unknown user.
    const gone = await register('Gone', 'gone@example.com');
    okValue(await step('users.delete gone', () => app.users.delete({ id: gone.id }), app.serviceAuthorization()));
    const goneBefore = app.arrivals.length;
    expect(await step('orders.place deleted profile', () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }), gone.authorization)).toEqual(
      failure('ORDERS.USER_NOT_FOUND', 422, 'The order names a user that does not exist'),
    );
    expect(hopsSince(goneBefore)).toEqual([
      [server('orders'), 'orders.place'],
      [server('auth'), 'auth.verify'],
      [server('users'), 'users.get'],
      [server('auth'), 'auth.verify'],
    ]);

    // No credential: the orders core refuses before asking anyone.
    const anonymousBefore = app.arrivals.length;
    expect(await step('orders.place no token', () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }))).toEqual(noCredential);
    expect(hopsSince(anonymousBefore)).toEqual([[server('orders'), 'orders.place']]);
    expect(await step('orders.place as a module', () => app.orders.place({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }), app.serviceAuthorization())).toEqual(
      failure('AUTH.FORBIDDEN', 403, 'This operation acts for a signed-in user'),
    );

    expect(
      await step('orders.place naming an owner', () => app.orders.place({ userId: admin.id, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] } as never), buyer.authorization),
    ).toEqual(invalid([{ field: 'userId', messages: ['property userId should not exist'] }]));
    expect(
      await step('orders.place invalid items', () =>
        app.orders.place({
          items: [
            { sku: 'OK-1', quantity: 0, unitPriceCents: 1.5, discount: 10 },
            { sku: '-bad', quantity: 1, unitPriceCents: 1 },
          ],
        } as never),
      buyer.authorization),
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

  it("orders.get, orders.list and orders.cancel: happy paths, every error, and another user's orders", async () => {
    const lin = await register('Lin', 'lin@example.com');
    const other = await relogin('buyer@example.com');
    const ids: string[] = [];
    for (const sku of ['A', 'B', 'C']) {
      ids.push(okValue<{ id: string }>(await step(`orders.place ${sku}`, () => app.orders.place({ items: [{ sku, quantity: 2, unitPriceCents: 50 }] }), lin.authorization)).id);
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
    expect(await step('orders.list malformed user', () => app.orders.list({ userId: 'x' }), lin.authorization)).toEqual(invalid(notUuid('userId')));
    expect(await step("orders.list another's", () => app.orders.list({ userId: lin.id }), other.authorization)).toEqual(
      failure('AUTH.FORBIDDEN', 403, "Only an administrator may list another user's orders"),
    );
    const asAdmin = okValue<{ items: Array<{ id: string }> }>(await step('orders.list as admin', () => app.orders.list({ userId: lin.id }), admin.authorization));
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
    const changed = await step('auth.change-password', () => app.auth.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD} two` }), eve.authorization);
    const session = okValue<{ accessToken: string; refreshToken: string }>(changed);
    expect(changed).toEqual(grant(eve.id, 'eve@example.com', 'user'));
    const current = `Bearer ${session.accessToken}`;

    expect(await step('users.get stale token', () => app.users.get({ id: eve.id }), eve.authorization)).toEqual(staleCredential);
    expect(await step('orders.list stale token', () => app.orders.list({}), eve.authorization)).toEqual(staleCredential);
    expect(await step('auth.verify stale token', () => app.auth.verify(), eve.authorization)).toEqual(staleCredential);
    expect(await step('users.get current token', () => app.users.get({ id: eve.id }), current)).toEqual({
      ok: expect.objectContaining({ id: eve.id, email: 'eve@example.com' }),
    });
    expect(await step('auth.refresh revoked', () => app.auth.refresh({ refreshToken: eve.refreshToken }))).toEqual(
      failure('AUTH.UNAUTHENTICATED', 401, 'The refresh token is revoked'),
    );

    expect(await step('auth.refresh', () => app.auth.refresh({ refreshToken: session.refreshToken }))).toEqual(grant(eve.id, 'eve@example.com', 'user'));
    expect(await step('auth.refresh reused', () => app.auth.refresh({ refreshToken: session.refreshToken }))).toEqual(
      failure('AUTH.REFRESH_REUSED', 401, 'The refresh token was already used; sign in again'),
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
  it('the in-process and TCP runs produced the same transcript', () => {
    // Every step of the contract ran on both transports (a step that threw would be missing).
    expect(transcripts.local).toHaveLength(STEPS);
    expect(transcripts.tcp.map((s) => s.step)).toEqual(transcripts.local.map((s) => s.step));
    expect(normalise(transcripts.tcp)).toStrictEqual(normalise(transcripts.local));
  });

  it('normalising hides only generated ids, timestamps and the variable parts of tokens', () => {
    const a = normalise([{ id: MISSING, createdAt: '2026-01-01T00:00:00.000Z', at: '2026-01-01T00:00:00.000Z' }, { userId: MISSING }]);
    expect(a).toEqual([{ id: '<id:1>', createdAt: '<time>', at: '2026-01-01T00:00:00.000Z' }, { userId: '<id:1>' }]);
    expect(normalise({ totalCents: 1, status: 'pending' })).not.toEqual(normalise({ totalCents: 2, status: 'pending' }));
    const jwt = new JwtService({ secret: 'a-normalising-secret-0123456789abcdef' });
    const [access, refresh] = ['access', 'refresh'].map((use) => jwt.sign({ token_use: use }, { subject: MISSING, expiresIn: 60 }));
    expect(normalise({ accessToken: access, refreshToken: refresh })).toEqual({ accessToken: '<jwt:access>', refreshToken: '<jwt:refresh>' });
  });
});
