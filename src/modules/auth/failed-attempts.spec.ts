import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { authMigrations } from '../../../migrations/auth/index.js';
import { openModuleDatabase } from '../../../test/support/unit-helpers.js';
import { closeEmbeddedDatabases } from '../../common/database/pglite.pool.js';
import { FailedAttempts } from './failed-attempts.js';

const settings = { failedAttempts: 3, failedAttemptsWindowMs: 60_000 } as never;

async function refusal(attempt: Promise<unknown>): Promise<unknown> {
  try {
    await attempt;
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('FailedAttempts', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openModuleDatabase({ name: 'auth', entities: [], migrations: authMigrations });
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(() => ds.query('TRUNCATE "auth"."failed_attempts"'));

  it('pauses an account after the allowed failures, with the seconds left, and only that account', async () => {
    const attempts = new FailedAttempts(ds, settings);
    for (let i = 0; i < 3; i++) {
      expect(await refusal(attempts.assertAllowed('login:ada@example.com'))).toBeUndefined();
      await attempts.failed('login:ada@example.com');
    }
    const refused = await refusal(attempts.assertAllowed('login:ada@example.com'));
    expect(refused).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS', status: 429 });
    expect((refused as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect((refused as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await refusal(attempts.assertAllowed('login:bob@example.com'))).toBeUndefined();
    // The window ends: attempts are allowed again, and the next failure opens a new window.
    await ds.query(`UPDATE "auth"."failed_attempts" SET window_ends_at = now() - interval '1 second'`);
    expect(await refusal(attempts.assertAllowed('login:ada@example.com'))).toBeUndefined();
    await attempts.failed('login:ada@example.com');
    const [row] = await ds.query(`SELECT failures FROM "auth"."failed_attempts" WHERE account = 'login:ada@example.com'`);
    expect(row.failures).toBe(1);
  });

  it('clears the count on a success', async () => {
    const attempts = new FailedAttempts(ds, settings);
    await attempts.failed('k');
    await attempts.failed('k');
    await attempts.succeeded('k', await attempts.assertAllowed('k'));
    await attempts.failed('k');
    await attempts.failed('k');
    expect(await refusal(attempts.assertAllowed('k'))).toBeUndefined();
    await attempts.failed('k');
    expect(await refusal(attempts.assertAllowed('k'))).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS' });
  });

  it('is one count for every process of the auth module: failures made through two of them add up', async () => {
    const [one, two] = [new FailedAttempts(ds, settings), new FailedAttempts(ds, settings)];
    await one.failed('login:ada@example.com');
    await two.failed('login:ada@example.com');
    await one.failed('login:ada@example.com');
    expect(await refusal(two.assertAllowed('login:ada@example.com'))).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS' });
  });
});
