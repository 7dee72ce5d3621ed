import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { authMigrations } from '../../../migrations/auth/index.js';
import { authConfig } from '../../common/auth/auth.settings.js';
import { createJwtService, TokenVerifier } from '../../common/auth/token.verifier.js';
import { busConfig } from '../../common/config/settings.js';
import { RequestContextStore } from '../../common/context/request-context.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { openModuleDatabase } from '../../../test/support/unit-helpers.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { BusErrors } from '../../common/errors/common.errors.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { AccountsService } from './accounts.service.js';
import { Credential } from './credential.entity.js';
import { PasswordHasher } from './password.hasher.js';
import { RefreshToken } from './refresh-token.entity.js';
import { RegistrationService } from './registration.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';
import { ServiceTokens } from '../../common/auth/service-tokens.js';

const settings = {
  secret: 'registration-spec-secret-0123456789-abcdef', issuer: 'mm-test', audience: 'mm-test-api',
  accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, adminEmail: 'root@example.com', verifyCacheMs: 0,
};
const PASSWORD = 'a long enough passphrase';
const unavailable = () => new DomainError(BusErrors.UNAVAILABLE, 'The users module is unavailable', { retryAfterSeconds: 1 });
const timeout = () => new DomainError(BusErrors.TIMEOUT, 'The users module did not answer');
const notFound = () => new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');

type Call = { id: string; authorization?: string };

/** A users module that records every call, with the credential it carried, and answers as told. */
class FakeUsers {
  calls: Record<'create' | 'delete' | 'get', Call[]> = { create: [], delete: [], get: [] };
  create = jest.fn(async (r: { id: string; name: string; email: string }) => this.record('create', r.id, { ...r, createdAt: '', updatedAt: '' }));
  delete = jest.fn(async (r: { id: string }) => this.record('delete', r.id, { id: r.id, deleted: true as const }));
  get = jest.fn(async (r: { id: string }) => this.record('get', r.id, { id: r.id }));

  private record<T>(kind: 'create' | 'delete' | 'get', id: string, answer: T): T {
    this.calls[kind].push({ id, authorization: RequestContextStore.current()?.authorization });
    return answer;
  }
}

describe('RegistrationService', () => {
  let ds: DataSource;
  let credentials: Repository<Credential>;
  let users: FakeUsers;
  let registration: RegistrationService;
  let accounts: AccountsService;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'auth', entities: [Credential, RefreshToken], migrations: authMigrations });
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "auth"."credentials", "auth"."refresh_tokens"');
    users = new FakeUsers();
    credentials = ds.getRepository(Credential);
    const module = await Test.createTestingModule({
      providers: [
        RegistrationService, AccountsService, SessionsService, PasswordHasher, TokenIssuer, TokenVerifier, ServiceTokens,
        { provide: JwtService, useValue: createJwtService(settings) },
        { provide: authConfig.KEY, useValue: settings },
        { provide: busConfig.KEY, useValue: { deadlineMs: 1000 } },
        { provide: getRepositoryToken(Credential, 'auth'), useValue: credentials },
        { provide: getRepositoryToken(RefreshToken, 'auth'), useValue: ds.getRepository(RefreshToken) },
        { provide: UsersClient, useValue: users },
      ],
    }).compile();
    registration = module.get(RegistrationService);
    accounts = module.get(AccountsService);
    verifier = module.get(TokenVerifier);
  });

  const register = (email = 'ada@example.com', password = PASSWORD) => registration.register({ name: 'Ada', email, password });
  const rows = () => credentials.find({ order: { createdAt: 'ASC' } });

  it('creates the profile under the reserved id as the auth module, then activates argon2id credentials', async () => {
    const grant = await register();
    const [row] = await rows();
    expect(row).toMatchObject({ email: 'ada@example.com', status: 'active', role: 'user', version: 1, userId: grant.account.id });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(users.create).toHaveBeenCalledWith({ id: row.userId, name: 'Ada', email: 'ada@example.com' });
    expect(verifier.identify(users.calls.create[0].authorization, ['service'])).toEqual({ kind: 'service', service: 'auth' });
    expect(verifier.identify(`Bearer ${grant.accessToken}`, ['access'])).toEqual({ kind: 'user', userId: row.userId, role: 'user', version: 1 });
    expect(users.delete).not.toHaveBeenCalled();
  });

  it('makes the ADMIN_EMAIL account an admin', async () => {
    expect((await register('root@example.com')).account.role).toBe('admin');
  });

  it('refuses a weak password before anything is written anywhere', async () => {
    await expect(register('ada@example.com', 'short1')).rejects.toMatchObject({ code: 'AUTH.WEAK_PASSWORD', status: 400 });
    await expect(register('ada@example.com', 'ada-is-my-password-ok')).rejects.toMatchObject({ code: 'AUTH.WEAK_PASSWORD' });
    await expect(register('ada@example.com', 'aaaaaaaaaaaaaaaa')).rejects.toMatchObject({ code: 'AUTH.WEAK_PASSWORD' });
    expect(users.create).not.toHaveBeenCalled();
    expect(await rows()).toEqual([]);
  });

  it('answers AUTH.EMAIL_TAKEN and keeps nothing when users already has the email', async () => {
    users.create.mockRejectedValueOnce(new DomainError(UsersErrors.EMAIL_TAKEN, 'taken'));
    await expect(register()).rejects.toMatchObject({ code: 'AUTH.EMAIL_TAKEN', status: 409 });
    expect(await rows()).toEqual([]);
    expect(users.delete).not.toHaveBeenCalled();
  });

  it('answers AUTH.EMAIL_TAKEN for an existing account without asking users to create anything', async () => {
    await register();
    await expect(register()).rejects.toMatchObject({ code: 'AUTH.EMAIL_TAKEN', status: 409 });
    expect(users.create).toHaveBeenCalledTimes(1);
    expect(await rows()).toHaveLength(1);
  });

  it.each([['unreachable', unavailable], ['timing out', timeout]])(
    'keeps nothing when users is %s at create and confirms no profile exists afterwards',
    async (_, failure) => {
      users.create.mockRejectedValueOnce(failure());
      users.delete.mockRejectedValueOnce(notFound());
      await expect(register()).rejects.toMatchObject({ code: failure().code });
      const [[created]] = users.create.mock.calls;
      expect(users.delete.mock.calls).toEqual([[{ id: created.id }]]);
      expect(await rows()).toEqual([]);
    },
  );

  it('removes the profile when the credentials cannot be activated', async () => {
    jest.spyOn(credentials, 'update').mockRejectedValueOnce(new Error('connection lost'));
    await expect(register()).rejects.toThrow('connection lost');
    expect(users.delete.mock.calls).toEqual([[{ id: users.calls.create[0].id }]]);
    expect(await rows()).toEqual([]);
  });

  it('keeps only an inert pending reservation when users stays unreachable, and the next registration clears it', async () => {
    users.create.mockRejectedValueOnce(unavailable());
    users.delete.mockRejectedValueOnce(unavailable());
    await expect(register()).rejects.toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503 });
    const [pending] = await rows();
    expect(pending).toMatchObject({ status: 'pending', email: 'ada@example.com' });
    // A pending reservation is no account: it cannot sign in.
    await expect(accounts.login({ email: 'ada@example.com', password: PASSWORD })).rejects.toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS' });
    // While the first attempt could still finish, the email stays reserved.
    await expect(register()).rejects.toMatchObject({ code: 'AUTH.EMAIL_TAKEN' });
    await ds.query(`UPDATE "auth"."credentials" SET created_at = now() - interval '1 hour'`);
    const grant = await register();
    expect(users.delete.mock.calls.map(([r]) => r.id)).toEqual([pending.userId, pending.userId]);
    expect((await rows()).map((r) => [r.userId, r.status])).toEqual([[grant.account.id, 'active']]);
  });

  it('lets the email register again once the profile of its account has been deleted', async () => {
    const first = await register();
    users.get.mockRejectedValueOnce(notFound());
    const second = await register();
    expect(users.get).toHaveBeenCalledWith({ id: first.account.id });
    expect((await rows()).map((r) => r.userId)).toEqual([second.account.id]);
  });

  it('answers the same for an unknown email and a wrong password', async () => {
    await register();
    const unknown = await accounts.login({ email: 'nobody@example.com', password: PASSWORD }).catch((e: DomainError) => e.toBody());
    const wrong = await accounts.login({ email: 'ada@example.com', password: 'not the password at all' }).catch((e: DomainError) => e.toBody());
    expect(unknown).toEqual({ code: 'AUTH.INVALID_CREDENTIALS', status: 401, message: 'The email or password is wrong' });
    expect(wrong).toEqual(unknown);
  });
});
