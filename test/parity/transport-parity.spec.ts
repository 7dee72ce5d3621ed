import 'reflect-metadata';
import { closeEmbeddedDatabases } from '../../src/common/database/pglite.pool.js';
import { RequestContextStore } from '../../src/common/context/request-context.js';
import { awkwardReply, releaseSlowCalls } from './parity.handlers.js';
import { bootParityApp, normalise, outcome, PARITY_DEADLINE_MS, type Outcome, type ParityApp, type TransportUnderTest } from './parity.harness.js';

/**
 * One contract, run once over the in-process bus and once over NestJS's TCP transport on loopback.
 * Every step asserts its own result and is also written to a transcript; the transcripts of the two
 * runs must match once generated ids and timestamps are normalised.
 */

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TRANSPORTS: TransportUnderTest[] = ['local', 'tcp'];
const transcripts: Record<TransportUnderTest, Array<{ step: string; outcome: unknown }>> = { local: [], tcp: [] };

const invalid = (details: unknown) => ({
  error: { code: 'COMMON.VALIDATION_FAILED', status: 400, message: 'The request is not valid', details },
});
const failure = (code: string, status: number, message: string) => ({ error: { code, status, message } });
const userNotFound = failure('USERS.NOT_FOUND', 404, 'No user has this id');
const orderNotFound = failure('ORDERS.NOT_FOUND', 404, 'No order has this id');
const notUuid = (field: string) => [{ field, messages: [`${field} must be a UUID`] }];

afterAll(async () => {
  await closeEmbeddedDatabases();
});

describe.each(TRANSPORTS)('contract over the %s transport', (transport) => {
  let app: ParityApp;
  const transcript = transcripts[transport];

  /** Runs one call inside a request context and records what it produced. */
  async function step(name: string, call: () => Promise<unknown>): Promise<Outcome> {
    const result = await RequestContextStore.run({ correlationId: `parity-${transcript.length + 1}` }, () => outcome(call()));
    transcript.push({ step: name, outcome: result });
    return result;
  }

  const okValue = <T>(o: Outcome): T => {
    if (!('ok' in o)) throw new Error(`expected a reply, got ${JSON.stringify(o)}`);
    return o.ok as T;
  };

  beforeAll(async () => {
    app = await bootParityApp(transport);
  });

  afterAll(async () => {
    releaseSlowCalls();
    await app?.close();
  });

  it(`serves users, orders and the parity handlers over ${transport}`, () => {
    for (const name of ['users', 'orders', 'parity']) expect(app.topology.modules[name].transport).toBe(transport);
    expect(app.topology.hosted).toEqual(['users', 'orders', 'parity']);
  });

  it('users.ping and orders.ping', async () => {
    expect(await step('users.ping', () => app.users.ping())).toEqual({ ok: { module: 'users' } });
    expect(await step('orders.ping', () => app.orders.ping())).toEqual({ ok: { module: 'orders' } });
  });

  it('users.create: stores a normalised user; refuses a taken email and invalid input', async () => {
    const created = okValue<Record<string, string>>(
      await step('users.create', () => app.users.create({ name: '  Ada Lovelace ', email: ' Ada@Example.COM ' })),
    );
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      createdAt: expect.stringMatching(ISO),
      updatedAt: created.createdAt,
    });
    expect(await step('users.create taken', () => app.users.create({ name: 'Ada again', email: 'ADA@example.com' }))).toEqual(
      failure('USERS.EMAIL_TAKEN', 409, 'A user with this email already exists'),
    );
    expect(
      await step('users.create invalid', () => app.users.create({ name: '', email: 'not-an-email', role: 'admin' } as never)),
    ).toEqual(
      invalid([
        { field: 'role', messages: ['property role should not exist'] },
        { field: 'name', messages: ['name must be longer than or equal to 1 characters'] },
        { field: 'email', messages: ['email must be an email'] },
      ]),
    );
  });

  it('users.get: a known user; USERS.NOT_FOUND; a malformed id', async () => {
    const { id } = okValue<{ id: string }>(await step('users.create for get', () => app.users.create({ name: 'Grace', email: 'grace@example.com' })));
    expect(await step('users.get', () => app.users.get({ id }))).toEqual({
      ok: { id, name: 'Grace', email: 'grace@example.com', createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) },
    });
    expect(await step('users.get missing', () => app.users.get({ id: MISSING }))).toEqual(userNotFound);
    expect(await step('users.get malformed', () => app.users.get({ id: 'nope' }))).toEqual(invalid(notUuid('id')));
  });

  it('users.list: pages with cursors; refuses a foreign cursor and a bad limit', async () => {
    const first = okValue<{ items: Array<{ email: string }>; nextCursor: string }>(await step('users.list page 1', () => app.users.list({ limit: 1 })));
    expect(first.items.map((u) => u.email)).toEqual(['ada@example.com']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = okValue<{ items: Array<{ email: string }>; nextCursor: string | null }>(
      await step('users.list page 2', () => app.users.list({ limit: 5, cursor: first.nextCursor })),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ email: 'grace@example.com' })], nextCursor: null });
    expect(await step('users.list bad cursor', () => app.users.list({ cursor: 'LTE' }))).toEqual(
      failure('USERS.INVALID_CURSOR', 400, 'The cursor is not valid'),
    );
    expect(await step('users.list bad limit', () => app.users.list({ limit: 101 }))).toEqual(
      invalid([{ field: 'limit', messages: ['limit must not be greater than 100'] }]),
    );
  });

  it('users.update: renames; USERS.NOT_FOUND; invalid name', async () => {
    const { id } = okValue<{ id: string }>(await step('users.create for update', () => app.users.create({ name: 'Alan', email: 'alan@example.com' })));
    expect(await step('users.update', () => app.users.update({ id, name: ' Alan Turing ' }))).toEqual({
      ok: expect.objectContaining({ id, name: 'Alan Turing', email: 'alan@example.com' }),
    });
    expect(await step('users.update missing', () => app.users.update({ id: MISSING, name: 'x' }))).toEqual(userNotFound);
    expect(await step('users.update invalid', () => app.users.update({ id, name: 'bad\u0007name' }))).toEqual(
      invalid([{ field: 'name', messages: ['name must not contain control characters'] }]),
    );
  });

  it('users.delete: deletes once; then USERS.NOT_FOUND; a malformed id', async () => {
    const { id } = okValue<{ id: string }>(await step('users.create for delete', () => app.users.create({ name: 'Tmp', email: 'tmp@example.com' })));
    expect(await step('users.delete', () => app.users.delete({ id }))).toEqual({ ok: { id, deleted: true } });
    expect(await step('users.delete again', () => app.users.delete({ id }))).toEqual(userNotFound);
    expect(await step('users.delete malformed', () => app.users.delete({ id: 42 } as never))).toEqual(invalid(notUuid('id')));
  });

  it('orders.place: totals in cents; crosses to users.get; ORDERS.USER_NOT_FOUND; nested validation', async () => {
    const { id: userId } = okValue<{ id: string }>(await step('users.create for orders', () => app.users.create({ name: 'Buyer', email: 'buyer@example.com' })));
    const before = app.arrivals.length;
    const placed = await step('orders.place', () =>
      app.orders.place({ userId, items: [{ sku: 'BOOK-1', quantity: 3, unitPriceCents: 1999 }, { sku: 'PEN', quantity: 1, unitPriceCents: 5 }] }),
    );
    expect(placed).toEqual({
      ok: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId,
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
    // The orders core asked the users core over the bus, carrying the caller's correlation id along.
    const correlationId = `parity-${transcript.length}`;
    const hops = app.arrivals.slice(before);
    const server = (name: string) => (transport === 'local' ? 'in-process' : `tcp:${name}`);
    expect(hops).toEqual([
      { server: server('orders'), pattern: 'orders.place', correlationId },
      { server: server('users'), pattern: 'users.get', correlationId },
    ]);

    const unknownBefore = app.arrivals.length;
    expect(
      await step('orders.place unknown user', () => app.orders.place({ userId: MISSING, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] })),
    ).toEqual(failure('ORDERS.USER_NOT_FOUND', 422, 'The order names a user that does not exist'));
    expect(app.arrivals.slice(unknownBefore).map((a) => [a.server, a.pattern])).toEqual([
      [server('orders'), 'orders.place'],
      [server('users'), 'users.get'],
    ]);

    expect(
      await step('orders.place invalid items', () =>
        app.orders.place({
          userId,
          items: [
            { sku: 'OK-1', quantity: 0, unitPriceCents: 1.5, discount: 10 },
            { sku: '-bad', quantity: 1, unitPriceCents: 1 },
          ],
        } as never),
      ),
    ).toEqual(
      invalid([
        { field: 'items.0.discount', messages: ['property discount should not exist'] },
        { field: 'items.0.quantity', messages: ['quantity must not be less than 1'] },
        { field: 'items.0.unitPriceCents', messages: ['unitPriceCents must be an integer number'] },
        { field: 'items.1.sku', messages: ['sku must be 1-64 letters, digits, dot, dash or underscore'] },
      ]),
    );
    expect(await step('orders.place no items', () => app.orders.place({ userId, items: [] }))).toEqual(
      invalid([{ field: 'items', messages: ['items must contain at least 1 elements'] }]),
    );
  });

  it('orders.get, orders.list and orders.cancel: happy paths and every error', async () => {
    const { id: userId } = okValue<{ id: string }>(await step('users.create for order lifecycle', () => app.users.create({ name: 'Lin', email: 'lin@example.com' })));
    const ids: string[] = [];
    for (const sku of ['A', 'B', 'C']) {
      ids.push(okValue<{ id: string }>(await step(`orders.place ${sku}`, () => app.orders.place({ userId, items: [{ sku, quantity: 2, unitPriceCents: 50 }] }))).id);
    }

    expect(await step('orders.get', () => app.orders.get({ id: ids[0] }))).toEqual({
      ok: expect.objectContaining({ id: ids[0], userId, status: 'pending', totalCents: 100 }),
    });
    expect(await step('orders.get missing', () => app.orders.get({ id: MISSING }))).toEqual(orderNotFound);
    expect(await step('orders.get malformed', () => app.orders.get({ id: 'x' }))).toEqual(invalid(notUuid('id')));

    const page1 = okValue<{ items: Array<{ id: string }>; nextCursor: string }>(await step('orders.list page 1', () => app.orders.list({ userId, limit: 2 })));
    expect(page1.items.map((o) => o.id)).toEqual(ids.slice(0, 2));
    const page2 = okValue<{ items: Array<{ id: string }>; nextCursor: string | null }>(
      await step('orders.list page 2', () => app.orders.list({ userId, limit: 2, cursor: page1.nextCursor })),
    );
    expect(page2.items.map((o) => o.id)).toEqual([ids[2]]);
    expect(page2.nextCursor).toBeNull();
    expect(await step('orders.list bad cursor', () => app.orders.list({ userId, cursor: 'Zm9v' }))).toEqual(
      failure('ORDERS.INVALID_CURSOR', 400, 'The cursor is not valid'),
    );
    expect(await step('orders.list no user', () => app.orders.list({} as never))).toEqual(invalid(notUuid('userId')));

    expect(await step('orders.cancel', () => app.orders.cancel({ id: ids[1] }))).toEqual({
      ok: expect.objectContaining({ id: ids[1], status: 'cancelled' }),
    });
    expect(await step('orders.cancel again', () => app.orders.cancel({ id: ids[1] }))).toEqual(
      failure('ORDERS.NOT_CANCELLABLE', 409, 'The order is cancelled; only a pending order can be cancelled'),
    );
    expect(await step('orders.cancel missing', () => app.orders.cancel({ id: MISSING }))).toEqual(orderNotFound);
    expect(await step('orders.cancel malformed', () => app.orders.cancel({ id: '' }))).toEqual(invalid(notUuid('id')));
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
    expect(transcripts.local).toHaveLength(46);
    expect(transcripts.tcp.map((s) => s.step)).toEqual(transcripts.local.map((s) => s.step));
    expect(normalise(transcripts.tcp)).toStrictEqual(normalise(transcripts.local));
  });

  it('normalising hides only generated ids and timestamps', () => {
    const a = normalise([{ id: MISSING, createdAt: '2026-01-01T00:00:00.000Z', at: '2026-01-01T00:00:00.000Z' }, { userId: MISSING }]);
    expect(a).toEqual([{ id: '<id:1>', createdAt: '<time>', at: '2026-01-01T00:00:00.000Z' }, { userId: '<id:1>' }]);
    expect(normalise({ totalCents: 1, status: 'pending' })).not.toEqual(normalise({ totalCents: 2, status: 'pending' }));
  });
});
