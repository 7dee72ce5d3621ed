import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { authMigrations } from '../../../migrations/auth/index.js';
import { openModuleDatabase, rejection } from '../../../test/support/unit-helpers.js';
import { readTokenSettings } from '../../common/identity/token.settings.js';
import { createJwtService, TokenVerifier } from '../../common/identity/token.verifier.js';
import { busConfig, type EventSettings } from '../../common/config/settings.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { Outbox } from '../../common/events/outbox.js';
import { AccountsService } from './accounts.service.js';
import { authConfig, readAuthSettings } from './auth.settings.js';
import { CREDENTIAL_COLUMNS, credentialFromRow, type CredentialRow } from './credential.row.js';
import { PasswordHasher } from './password.hasher.js';
import { FailedAttempts } from './failed-attempts.js';
import { RegistrationService } from './registration.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';

const tokens = readTokenSettings({
  JWT_SECRET: 'registration-spec-secret-0123456789-abcdef',
  JWT_ISSUER: 'mm-test',
  JWT_AUDIENCE: 'mm-test-api',
});
const settings = readAuthSettings({ ADMIN_EMAIL: 'root@example.com' });
/** Registration waits at most half of this for the users core's acknowledgement. */
const DEADLINE_MS = 2000;
const WAIT_BOUND_MS = DEADLINE_MS / 2;
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
/** Who consumes auth's events, as the topology computes it from the modules' `subscribes`. */
const SUBSCRIBERS = { 'auth.account-registered': ['users'], 'auth.credentials-changed': ['users', 'orders'] };
const PASSWORD = 'a long enough passphrase';

interface OutboxRow {
  event_id: string;
  consumer: string;
  name: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
}

describe('RegistrationService', () => {
  let ds: DataSource;
  let outbox: Outbox;
  let registration: RegistrationService;
  let accounts: AccountsService;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'auth', migrations: authMigrations });
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  async function build(subscribers: Record<string, string[]> = SUBSCRIBERS): Promise<void> {
    outbox = new Outbox(ds, 'auth', subscribers, EVENTS, DEADLINE_MS);
    const module = await Test.createTestingModule({
      providers: [
        RegistrationService,
        AccountsService,
        SessionsService,
        PasswordHasher,
        TokenIssuer,
        TokenVerifier,
        FailedAttempts,
        { provide: JwtService, useValue: createJwtService(tokens) },
        { provide: authConfig.KEY, useValue: settings },
        { provide: busConfig.KEY, useValue: { deadlineMs: DEADLINE_MS } },
        { provide: Outbox, useValue: outbox },
        { provide: getDataSourceToken('auth'), useValue: ds },
      ],
    }).compile();
    registration = module.get(RegistrationService);
    accounts = module.get(AccountsService);
    verifier = module.get(TokenVerifier);
  }

  beforeEach(async () => {
    await ds.query('TRUNCATE "auth"."credentials", "auth"."refresh_tokens", "auth"."outbox"');
    await build();
  });

  const register = (email = 'ada@example.com', password = PASSWORD) => registration.register({ name: 'Ada', email, password });
  const rows = async () =>
    ((await ds.query(`SELECT ${CREDENTIAL_COLUMNS} FROM "auth"."credentials" ORDER BY created_at`)) as CredentialRow[]).map(
      credentialFromRow,
    );
  const events = (): Promise<OutboxRow[]> =>
    ds.query('SELECT event_id, consumer, name, aggregate_id, payload FROM "auth"."outbox" ORDER BY seq');

  /** Plays the users core: acknowledges the registration event as soon as the relay would see it. */
  function acknowledgeAsUsers(): Promise<number> {
    return outbox.signal.wait(10_000).then(async () => {
      const pending = await outbox.pending('users', 10);
      await outbox.record(
        'users',
        pending.map((e) => ({ eventId: e.id, outcome: 'applied' as const })),
      );
      return Date.now();
    });
  }

  it('writes active argon2id credentials and one account-registered event for users in one go', async () => {
    const acknowledged = acknowledgeAsUsers();
    const grant = await register();
    await acknowledged;
    const [row] = await rows();
    expect(row).toMatchObject({ email: 'ada@example.com', status: 'active', role: 'user', version: 1, userId: grant.account.id });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await events()).toEqual([
      {
        event_id: expect.any(String),
        consumer: 'users',
        name: 'auth.account-registered',
        aggregate_id: row.userId,
        payload: { userId: row.userId, name: 'Ada', email: 'ada@example.com' },
      },
    ]);
    expect(grant.account).toEqual({ id: row.userId, email: 'ada@example.com', role: 'user' });
    expect(verifier.identify(`Bearer ${grant.accessToken}`, ['access'])).toEqual({
      kind: 'user',
      userId: row.userId,
      role: 'user',
      version: 1,
    });
  });

  it('answers as soon as users has acknowledged the event, not before', async () => {
    const started = Date.now();
    const acknowledged = acknowledgeAsUsers();
    const answeredAt = await register().then(() => Date.now());
    const acknowledgedAt = await acknowledged;
    expect(answeredAt).toBeGreaterThanOrEqual(acknowledgedAt);
    expect(answeredAt - started).toBeLessThan(WAIT_BOUND_MS);
  });

  it('answers after half the bus deadline when users does not acknowledge, keeping the account and its event', async () => {
    const started = Date.now();
    const grant = await register();
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_BOUND_MS - 10);
    expect(Date.now() - started).toBeLessThan(WAIT_BOUND_MS + 1500);
    expect((await rows()).map((r) => r.userId)).toEqual([grant.account.id]);
    // The relay delivers the event when users is back; the profile follows.
    expect((await outbox.pending('users', 10)).map((e) => e.aggregateId)).toEqual([grant.account.id]);
  });

  it('makes the ADMIN_EMAIL account an admin', async () => {
    const acknowledged = acknowledgeAsUsers();
    const grant = await register('root@example.com');
    await acknowledged;
    expect(grant.account.role).toBe('admin');
    expect((await rows())[0].role).toBe('admin');
    expect(verifier.identify(`Bearer ${grant.accessToken}`, ['access'])).toMatchObject({ role: 'admin' });
  });

  it('refuses a weak password with AUTH.WEAK_PASSWORD (400) before anything is written', async () => {
    for (const password of ['short1', 'ada-is-my-password-ok', 'aaaaaaaaaaaaaaaa']) {
      expect(await rejection(register('ada@example.com', password))).toMatchObject({ code: 'AUTH.WEAK_PASSWORD', status: 400 });
    }
    expect(await rows()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('answers AUTH.EMAIL_TAKEN (409) on the unique email without writing a second account or event, and without waiting', async () => {
    const acknowledged = acknowledgeAsUsers();
    const first = await register();
    await acknowledged;
    const started = Date.now();
    expect(await rejection(register())).toMatchObject({
      code: 'AUTH.EMAIL_TAKEN',
      status: 409,
      message: 'An account with this email already exists',
    });
    expect(Date.now() - started).toBeLessThan(WAIT_BOUND_MS);
    expect((await rows()).map((r) => r.userId)).toEqual([first.account.id]);
    expect((await events()).map((e) => e.aggregate_id)).toEqual([first.account.id]);
  });

  it('lets only one of two concurrent registrations of an email through', async () => {
    const results = await Promise.allSettled([register(), register()]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual([expect.objectContaining({ code: 'AUTH.EMAIL_TAKEN', status: 409 })]);
    expect(await rows()).toHaveLength(1);
    expect(await events()).toHaveLength(1);
  });

  it('keeps no credentials when the event cannot be written with them', async () => {
    // A deployment where no module consumes the registration: the outbox refuses it inside the transaction.
    await build({ 'auth.credentials-changed': ['users'] });
    await expect(register()).rejects.toThrow('No module consumes auth.account-registered');
    expect(await rows()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it("frees the email once users' deletion has been applied: credentials forgotten, every token revoked by an event", async () => {
    const acknowledged = acknowledgeAsUsers();
    const first = await register();
    await acknowledged;
    await outbox.transaction((manager) => accounts.forget({ manager, afterCommit: () => {} }, first.account.id));
    expect(await rows()).toEqual([]);
    const changed = (await events()).filter((e) => e.name === 'auth.credentials-changed');
    expect(changed.map((e) => [e.consumer, e.payload])).toEqual([
      ['users', { userId: first.account.id, version: 2, role: 'user', active: false }],
      ['orders', { userId: first.account.id, version: 2, role: 'user', active: false }],
    ]);
    expect(await rejection(accounts.login({ email: 'ada@example.com', password: PASSWORD }))).toMatchObject({
      code: 'AUTH.INVALID_CREDENTIALS',
      status: 401,
    });

    const second = await register();
    expect(second.account.id).not.toBe(first.account.id);
    expect((await rows()).map((r) => r.userId)).toEqual([second.account.id]);
  });

  it('answers the same for an unknown email and a wrong password', async () => {
    const acknowledged = acknowledgeAsUsers();
    await register();
    await acknowledged;
    const unknown = (await rejection(accounts.login({ email: 'nobody@example.com', password: PASSWORD }))).toBody();
    const wrong = (await rejection(accounts.login({ email: 'ada@example.com', password: 'not the password at all' }))).toBody();
    expect(unknown).toEqual({ code: 'AUTH.INVALID_CREDENTIALS', status: 401, message: 'The email or password is wrong' });
    expect(wrong).toEqual(unknown);
  });
});
