import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { usersMigrations } from '../../../migrations/users/index.js';
import { dataSourceOptions, migrateModule } from '../../common/database/database.module.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

const MISSING = '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d44';

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('UsersService', () => {
  let ds: DataSource;
  let service: UsersService;

  beforeAll(async () => {
    ds = await new DataSource(
      dataSourceOptions({ name: 'users', entities: [User], migrations: usersMigrations }, undefined, { dataDir: ':memory:', poolSize: 1 }),
    ).initialize();
    await migrateModule(ds, 'users');
    const moduleRef = await Test.createTestingModule({
      providers: [UsersService, { provide: getRepositoryToken(User, 'users'), useValue: ds.getRepository(User) }],
    }).compile();
    service = moduleRef.get(UsersService);
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "users"."users" RESTART IDENTITY');
  });

  it('creates a user and reads it back with ISO timestamps', async () => {
    const user = await service.create({ name: 'Ada', email: 'ada@example.com' });
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Ada',
      email: 'ada@example.com',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: user.createdAt,
    });
    expect(await service.get(user.id)).toEqual(user);
  });

  it('refuses a second user with the same email with USERS.EMAIL_TAKEN (409)', async () => {
    await service.create({ name: 'Ada', email: 'ada@example.com' });
    const err = await rejection(service.create({ name: 'Other Ada', email: 'ada@example.com' }));
    expect(err).toMatchObject({ code: 'USERS.EMAIL_TAKEN', status: 409 });
    expect(await ds.getRepository(User).count()).toBe(1);
  });

  it('lets an unrelated database failure through as it is', async () => {
    // The table only accepts lower-case emails; the validation pipe lower-cases them before the service.
    const err = await service.create({ name: 'Ada', email: 'ADA@example.com' }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ driverError: expect.objectContaining({ code: '23514' }) });
  });

  it('renames a user', async () => {
    const { id } = await service.create({ name: 'Ada', email: 'ada@example.com' });
    expect(await service.update({ id, name: 'Ada King' })).toMatchObject({ id, name: 'Ada King', email: 'ada@example.com' });
    expect((await service.get(id)).name).toBe('Ada King');
  });

  it('deletes a user once, then answers USERS.NOT_FOUND (404)', async () => {
    const { id } = await service.create({ name: 'Ada', email: 'ada@example.com' });
    expect(await service.delete(id)).toEqual({ id, deleted: true });
    expect(await rejection(service.delete(id))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
    expect(await rejection(service.get(id))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
  });

  it.each([
    ['get', (s: UsersService) => s.get(MISSING)],
    ['update', (s: UsersService) => s.update({ id: MISSING, name: 'x' })],
    ['delete', (s: UsersService) => s.delete(MISSING)],
  ])('%s answers USERS.NOT_FOUND (404) for an unknown id', async (_op, call) => {
    expect(await rejection(call(service))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
  });

  it('pages through users oldest first and frees an email when its user is deleted', async () => {
    const created = [];
    for (const n of [1, 2, 3]) created.push(await service.create({ name: `U${n}`, email: `u${n}@example.com` }));
    const first = await service.list({ limit: 2 });
    expect(first.items).toEqual(created.slice(0, 2));
    const second = await service.list({ limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [created[2]], nextCursor: null });
    await service.delete(created[0].id);
    await expect(service.create({ name: 'Again', email: 'u1@example.com' })).resolves.toMatchObject({ email: 'u1@example.com' });
  });

  it('answers USERS.INVALID_CURSOR (400) for a cursor it did not issue', async () => {
    expect(await rejection(service.list({ cursor: 'LTE' }))).toMatchObject({ code: 'USERS.INVALID_CURSOR', status: 400 });
  });
});
