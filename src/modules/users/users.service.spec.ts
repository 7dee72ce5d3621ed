import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { usersMigrations } from '../../../migrations/users/index.js';
import type { Identity, ServiceIdentity, UserIdentity } from '../../common/auth/identity.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { openModuleDatabase, rejection } from '../../../test/support/unit-helpers.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';
import { IdentityLifecycle } from '../../common/auth/identity-lifecycle.js';
import { BusErrors } from '../../common/errors/common.errors.js';

/** Records what the auth module is told, in order, and can be made to fail like an unreachable module. */
class FakeIdentityLifecycle {
  calls: string[] = [];
  failing: Partial<Record<'suspend' | 'forget', boolean>> = {};

  async suspend(service: string, userId: string) {
    return this.record('suspend', service, userId);
  }

  async forget(service: string, userId: string) {
    return this.record('forget', service, userId);
  }

  private async record(step: 'suspend' | 'forget', service: string, userId: string) {
    this.calls.push(`${step}:${service}:${userId}`);
    if (this.failing[step]) throw new DomainError(BusErrors.UNAVAILABLE, 'The auth module is unavailable');
    return { userId };
  }
}

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';
const IDS = [
  '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b',
  '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c',
  '2d7b2d70-6b80-4ca8-9c5b-8c6a0b1f3e4d',
  '3e8c3e81-7c91-4db9-ad6c-9d7b1c2a4f5e',
];
const ADMIN_ID = '4f9d4f92-8da2-4eca-be7d-ae8c2d3b5a6f';

/** Profiles are created only by the auth module during registration, with its service token. */
const AUTH_MODULE: ServiceIdentity = { kind: 'service', service: 'auth' };
const ADMIN: UserIdentity = { kind: 'user', userId: ADMIN_ID, role: 'admin', version: 1 };
const asUser = (userId: string): UserIdentity => ({ kind: 'user', userId, role: 'user', version: 1 });


describe('UsersService', () => {
  let ds: DataSource;
  let service: UsersService;
  const identities = new FakeIdentityLifecycle();

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'users', entities: [User], migrations: usersMigrations });
    const moduleRef = await Test.createTestingModule({
      providers: [
        UsersService,
        { provide: getRepositoryToken(User, 'users'), useValue: ds.getRepository(User) },
        { provide: IdentityLifecycle, useValue: identities },
      ],
    }).compile();
    service = moduleRef.get(UsersService);
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "users"."users" RESTART IDENTITY');
    identities.calls = [];
    identities.failing = {};
  });

  const create = (id: string, name: string, email: string, caller: Identity = AUTH_MODULE) => service.create({ id, name, email }, caller);

  it('creates a user under the id it is given and reads it back with ISO timestamps', async () => {
    const user = await create(IDS[0], 'Ada', 'ada@example.com');
    expect(user).toEqual({
      id: IDS[0],
      name: 'Ada',
      email: 'ada@example.com',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: user.createdAt,
    });
    expect(await service.get(user.id, asUser(user.id))).toEqual(user);
    expect(await service.get(user.id, ADMIN)).toEqual(user);
  });

  it('refuses a second user with the same email with USERS.EMAIL_TAKEN (409)', async () => {
    await create(IDS[0], 'Ada', 'ada@example.com');
    const err = await rejection(create(IDS[1], 'Other Ada', 'ada@example.com'));
    expect(err).toMatchObject({ code: 'USERS.EMAIL_TAKEN', status: 409 });
    expect(await ds.getRepository(User).count()).toBe(1);
  });

  it('lets an unrelated database failure through as it is', async () => {
    // The table only accepts lower-case emails; the validation pipe lower-cases them before the service.
    const err = await create(IDS[0], 'Ada', 'ADA@example.com').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ driverError: expect.objectContaining({ code: '23514' }) });
  });

  it('renames a user', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    expect(await service.update({ id, name: 'Ada King' }, asUser(id))).toMatchObject({ id, name: 'Ada King', email: 'ada@example.com' });
    expect((await service.get(id, asUser(id))).name).toBe('Ada King');
  });

  it('deletes a user once, then answers USERS.NOT_FOUND (404)', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    expect(await service.delete(id, asUser(id))).toEqual({ id, deleted: true });
    expect(await rejection(service.delete(id, asUser(id)))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
    expect(await rejection(service.get(id, ADMIN))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
  });

  it("ends the account: credentials suspended before the profile goes, forgotten after", async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    identities.calls = [];
    const probe = identities.suspend.bind(identities);
    let profileAtSuspend: number | undefined;
    identities.suspend = async (s, u) => {
      profileAtSuspend = await ds.getRepository(User).countBy({ id });
      return probe(s, u);
    };
    try {
      await service.delete(id, ADMIN);
    } finally {
      identities.suspend = probe;
    }
    expect(profileAtSuspend).toBe(1);
    expect(identities.calls).toEqual([`suspend:users:${id}`, `forget:users:${id}`]);
    expect(await ds.getRepository(User).countBy({ id })).toBe(0);
  });

  it('deletes nothing when the auth module cannot suspend the credentials', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    identities.failing.suspend = true;
    expect(await rejection(service.delete(id, asUser(id)))).toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503 });
    expect(await ds.getRepository(User).countBy({ id })).toBe(1);
  });

  it('still deletes when only forgetting the suspended credentials fails', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    identities.failing.forget = true;
    expect(await service.delete(id, asUser(id))).toEqual({ id, deleted: true });
    expect(await ds.getRepository(User).countBy({ id })).toBe(0);
  });

  it('leaves the credentials to the auth module when it deletes a profile itself (undoing a registration)', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    identities.calls = [];
    await service.delete(id, AUTH_MODULE);
    expect(identities.calls).toEqual([]);
    expect(await ds.getRepository(User).countBy({ id })).toBe(0);
  });

  it('tells the auth module nothing about a profile the caller may not delete', async () => {
    const { id } = await create(IDS[0], 'Ada', 'ada@example.com');
    identities.calls = [];
    expect(await rejection(service.delete(id, asUser(IDS[1])))).toMatchObject({ code: 'USERS.NOT_FOUND' });
    expect(await rejection(service.delete(MISSING, ADMIN))).toMatchObject({ code: 'USERS.NOT_FOUND' });
    expect(identities.calls).toEqual([]);
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
  });

  it('creates profiles only for a module: a user, even an admin, gets AUTH.FORBIDDEN (403)', async () => {
    for (const caller of [asUser(IDS[0]), ADMIN]) {
      expect(await rejection(create(IDS[0], 'Ada', 'ada@example.com', caller))).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    }
    expect(await ds.getRepository(User).count()).toBe(0);
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
    for (const caller of [asUser(IDS[0]), AUTH_MODULE]) {
      expect(await rejection(service.list({ limit: 10 }, caller))).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    }
  });

  it('answers USERS.INVALID_CURSOR (400) for a cursor it did not issue', async () => {
    expect(await rejection(service.list({ cursor: 'LTE' }, ADMIN))).toMatchObject({ code: 'USERS.INVALID_CURSOR', status: 400 });
  });
});
