import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { usersMigrations } from '../../../migrations/users/index.js';
import { openModuleDatabase, rejection } from '../../../test/support/unit-helpers.js';
import type { ServiceIdentity, UserIdentity } from '../../common/identity/identity.js';
import type { EventSettings } from '../../common/config/settings.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { CredentialCopy } from '../../common/identity/credential-copy.js';
import { Outbox } from '../../common/events/outbox.js';
import { UsersService } from './users.service.js';

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const IDS = [
  '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b',
  '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c',
  '2d7b2d70-6b80-4ca8-9c5b-8c6a0b1f3e4d',
  '3e8c3e81-7c91-4db9-ad6c-9d7b1c2a4f5e',
];
const ADMIN_ID = '4f9d4f92-8da2-4eca-be7d-ae8c2d3b5a6f';

const ORDERS_MODULE: ServiceIdentity = { kind: 'service', service: 'orders' };
const ADMIN: UserIdentity = { kind: 'user', userId: ADMIN_ID, role: 'admin', version: 1 };
const asUser = (userId: string): UserIdentity => ({ kind: 'user', userId, role: 'user', version: 1 });

const EVENTS: EventSettings = {
  pollMs: 50,
  longPollMs: 0,
  batchSize: 50,
  retryBackoffMs: 100,
  retryMaxMs: 1000,
  maxAttempts: 5,
  settleMs: 60_000,
  leaderRetryMs: 1000,
  leaderCheckMs: 1000,
};
/** Who consumes users' events, as the topology computes it from the modules' `subscribes`. */
const SUBSCRIBERS = { 'users.user-deleted': ['orders', 'auth'] };

describe('UsersService', () => {
  let ds: DataSource;
  let service: UsersService;

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'users', migrations: usersMigrations });
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  let copy: CredentialCopy;

  async function build(subscribers: Record<string, string[]> = SUBSCRIBERS): Promise<void> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        UsersService,
        { provide: getDataSourceToken('users'), useValue: ds },
        { provide: Outbox, useValue: new Outbox(ds, 'users', subscribers, EVENTS) },
        { provide: CredentialCopy, useValue: (copy = new CredentialCopy(ds, 'users', 60_000)) },
      ],
    }).compile();
    service = moduleRef.get(UsersService);
  }

  beforeEach(async () => {
    await ds.query('TRUNCATE "users"."users", "users"."outbox", "users"."credential_versions" RESTART IDENTITY');
    await build();
  });

  /** Creates a profile as the account-registered handler does: inside the inbox's transaction. */
  async function create(id: string, name: string, email: string) {
    await ds.transaction((manager) => service.createProfile(manager, { userId: id, name, email }));
    return service.get(id, asUser(id));
  }
  const profiles = async () => Number((await ds.query('SELECT count(*) AS n FROM "users"."users"'))[0].n);
  const events = () =>
    ds.query('SELECT event_id, consumer, name, aggregate_id, payload FROM "users"."outbox" ORDER BY seq') as Promise<
      Array<{ event_id: string; consumer: string; name: string; aggregate_id: string; payload: unknown }>
    >;

  describe('createProfile', () => {
    it('creates the profile of a registered account under its id, read back with ISO timestamps', async () => {
      const user = await create(IDS[0], 'Ada', 'ada@example.com');
      expect(user).toEqual({
        id: IDS[0],
        name: 'Ada',
        email: 'ada@example.com',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: user.createdAt,
      });
      expect(await service.get(user.id, ADMIN)).toEqual(user);
    });

    it('changes nothing when the same registration arrives again', async () => {
      const first = await create(IDS[0], 'Ada', 'ada@example.com');
      const again = await create(IDS[0], 'Ada Again', 'ada@example.com');
      expect(again).toEqual(first);
      expect(await profiles()).toBe(1);
    });

    it('fails, rather than drop the event, when another profile holds the email', async () => {
      // The handler's failure rolls the inbox row back, so the event is retried and, if it keeps failing, parked.
      await create(IDS[0], 'Ada', 'ada@example.com');
      const err = await create(IDS[1], 'Other Ada', 'ada@example.com').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryFailedError);
      expect(err).toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });
      expect(await profiles()).toBe(1);
    });

    it('lets a database refusal through as it is', async () => {
      // The table only accepts lower-case emails; the validation pipe lower-cases them before registration.
      const err = await create(IDS[0], 'Ada', 'ADA@example.com').catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ driverError: expect.objectContaining({ code: '23514' }) });
      expect(await profiles()).toBe(0);
    });
  });

  it('renames a user', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    expect(await service.update({ id, name: 'Ada King' }, asUser(id))).toMatchObject({ id, name: 'Ada King', email: 'ada@example.com' });
    expect((await service.get(id, asUser(id))).name).toBe('Ada King');
  });

  describe('delete', () => {
    it('deletes the profile and writes one users.user-deleted row per consumer, in one transaction', async () => {
      const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
      expect(await service.delete(id, asUser(id))).toEqual({ id, deleted: true });
      expect(await profiles()).toBe(0);
      const rows = await events();
      expect(rows).toEqual([
        { event_id: expect.any(String), consumer: 'orders', name: 'users.user-deleted', aggregate_id: id, payload: { userId: id } },
        { event_id: rows[0].event_id, consumer: 'auth', name: 'users.user-deleted', aggregate_id: id, payload: { userId: id } },
      ]);
      // The account's tokens die in this core at once, whatever version they carry, in memory and in the table.
      expect(() => copy.assertCurrent({ kind: 'user', userId: id, role: 'user', version: 7 })).toThrow(
        expect.objectContaining({ code: 'AUTH.UNAUTHENTICATED' }),
      );
      expect(await ds.query('SELECT active FROM "users"."credential_versions" WHERE user_id = $1', [id])).toEqual([{ active: false }]);
    });

    it('keeps the profile when the event cannot be written with its deletion', async () => {
      const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
      // A deployment where no module consumes the deletion: the outbox refuses it inside the transaction.
      await build({});
      await expect(service.delete(id, asUser(id))).rejects.toThrow('No module consumes users.user-deleted');
      expect(await profiles()).toBe(1);
      expect(await events()).toEqual([]);
    });

    it('deletes once: a second delete answers USERS.NOT_FOUND (404) and publishes nothing more', async () => {
      const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
      await service.delete(id, ADMIN);
      expect(await rejection(service.delete(id, ADMIN))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
      expect(await rejection(service.get(id, ADMIN))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
      expect(await events()).toHaveLength(2);
    });

    it('lets a module delete a profile for its own reasons', async () => {
      const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
      expect(await service.delete(id, ORDERS_MODULE)).toEqual({ id, deleted: true });
      expect(await events()).toHaveLength(2);
    });

    it('publishes nothing for a profile the caller may not delete or that does not exist', async () => {
      const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
      expect(await rejection(service.delete(id, asUser(IDS[1])))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
      expect(await rejection(service.delete(MISSING, ADMIN))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
      expect(await events()).toEqual([]);
      expect(await profiles()).toBe(1);
    });
  });

  // Asked by an admin, who may reach every profile: the answer is about the id, not about access.
  it.each([
    ['get', (s: UsersService) => s.get(MISSING, ADMIN)],
    ['update', (s: UsersService) => s.update({ id: MISSING, name: 'x' }, ADMIN)],
    ['delete', (s: UsersService) => s.delete(MISSING, ADMIN)],
  ])('%s answers USERS.NOT_FOUND (404) for an unknown id', async (_op, call) => {
    expect(await rejection(call(service))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
  });

  it.each([
    ['get', (s: UsersService, id: string) => s.get(id, asUser(IDS[1]))],
    ['update', (s: UsersService, id: string) => s.update({ id, name: 'x' }, asUser(IDS[1]))],
    ['delete', (s: UsersService, id: string) => s.delete(id, asUser(IDS[1]))],
  ])("%s answers another user's profile with USERS.NOT_FOUND (404), exactly like a missing one, and changes nothing", async (_op, call) => {
    const ada = await create(IDS[0], 'Ada', 'ada@example.com');
    await create(IDS[1], 'Bob', 'bob@example.com');
    expect(await rejection(call(service, ada.id))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404, message: 'No user has this id' });
    expect(await service.get(ada.id, ADMIN)).toEqual(ada);
    expect(await events()).toEqual([]);
  });

  it('pages through users oldest first and frees an email when its user is deleted', async () => {
    const created = [];
    for (const n of [1, 2, 3]) created.push(await create(IDS[n], `U${n}`, `u${n}@example.com`));
    const first = await service.list({ limit: 2 }, ADMIN);
    expect(first.items).toEqual(created.slice(0, 2));
    const second = await service.list({ limit: 2, cursor: first.nextCursor! }, ADMIN);
    expect(second).toEqual({ items: [created[2]], nextCursor: null });
    await service.delete(created[0].id, ADMIN);
    await expect(create(IDS[0], 'Again', 'u1@example.com')).resolves.toMatchObject({ email: 'u1@example.com' });
  });

  it('lists users only for an admin: a user or a module gets AUTH.FORBIDDEN (403)', async () => {
    await create(IDS[0], 'Ada', 'ada@example.com');
    for (const caller of [asUser(IDS[0]), ORDERS_MODULE]) {
      expect(await rejection(service.list({ limit: 10 }, caller))).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    }
  });

  it('counts the profiles for an admin; a user or a module gets AUTH.FORBIDDEN (403)', async () => {
    expect(await service.count(ADMIN)).toEqual({ total: 0 });
    for (const n of [1, 2]) await create(IDS[n], `U${n}`, `u${n}@example.com`);
    expect(await service.count(ADMIN)).toEqual({ total: 2 });
    for (const caller of [asUser(IDS[1]), ORDERS_MODULE]) {
      expect(await rejection(service.count(caller))).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    }
  });

  it('answers USERS.INVALID_CURSOR (400) for a cursor it did not issue', async () => {
    expect(await rejection(service.list({ cursor: 'LTE' }, ADMIN))).toMatchObject({ code: 'USERS.INVALID_CURSOR', status: 400 });
  });
});
