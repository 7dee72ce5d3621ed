import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { PROJECT_ROOT } from '../support/app-process.js';
import { admin, bearer, E2E_ADMIN_EMAIL, login, register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * The operator side of accounts and events, against a running monolith on PostgreSQL: admin rights
 * that registration cannot claim twice, `accounts:promote`, and `events:replay` putting a parked event
 * back in line (visible in /health/ready until it is delivered).
 */
const run = promisify(execFile);

describe('operator commands', () => {
  const suite = useE2eSuite('operator', { topology: 'monolith' });
  const { db } = suite;

  const cli = (...args: string[]) =>
    run(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'cli.js'), ...args], {
      env: { ...suite.topology.processes.app.env },
      cwd: PROJECT_ROOT,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  async function until(ms: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it(
    'makes only the first ADMIN_EMAIL registration an admin; re-registering the address after the admin is deleted gives a plain ' + 'user',
    async () => {
      const root = await admin(suite.baseUrl);
      expect(root.role).toBe('admin');
      const api = request(suite.baseUrl);
      expect((await api.delete(`/v1/users/${root.userId}`).set('authorization', bearer(root.accessToken))).status).toBe(204);
      await until(5000, async () => (await db.query('SELECT 1 FROM auth.credentials WHERE user_id = $1', [root.userId])).length === 0);
      const again = await register(suite.baseUrl, { email: E2E_ADMIN_EMAIL });
      expect(again.role).toBe('user');
      expect((await api.get('/v1/users').set('authorization', bearer(again.accessToken))).status).toBe(403);
    },
  );

  it('accounts:promote makes an existing account an admin, and its old user token stops working', async () => {
    const ada = await register(suite.baseUrl);
    const api = request(suite.baseUrl);
    expect((await api.get('/v1/users').set('authorization', bearer(ada.accessToken))).status).toBe(403);

    expect(await cli('accounts:promote', ` ${ada.email.toUpperCase()} `)).toEqual({
      code: 0,
      stdout: `${ada.email} is now an admin; it signs in again to get an admin token\n`,
    });
    await until(2000, async () => (await api.get('/v1/users/me').set('authorization', bearer(ada.accessToken))).status === 401);
    const promoted = await login(suite.baseUrl, ada.email, TEST_PASSWORD);
    expect(promoted.role).toBe('admin');
    expect((await api.get('/v1/users').set('authorization', bearer(promoted.accessToken))).status).toBe(200);

    expect(await cli('accounts:promote', ada.email)).toMatchObject({ code: 1 });
    expect(await cli('accounts:promote')).toEqual({ code: 64, stdout: 'usage: accounts:promote <email>\n' });
  });

  it('events:replay puts a parked event back in line; /health/ready shows it parked until then', async () => {
    const ada = await register(suite.baseUrl);
    const api = request(suite.baseUrl);
    expect((await api.delete(`/v1/users/${ada.userId}`).set('authorization', bearer(ada.accessToken))).status).toBe(204);
    await until(5000, async () => (await db.query('SELECT 1 FROM users.outbox WHERE delivered_at IS NULL')).length === 0);
    // Park the orders delivery as repeated failures would have (the parking itself is unit-tested).
    const [parked] = await db.query<{ event_id: string }>(
      `UPDATE users.outbox SET delivered_at = NULL, parked_at = now(), attempts = 10, last_error = 'COMMON.INTERNAL: boom'
       WHERE consumer = 'orders' RETURNING event_id`,
    );
    const ready = await api.get('/health/ready');
    expect(ready.body.events.users).toEqual({ pending: 0, parked: 1 });
    expect((await api.get('/metrics')).text).toMatch(/^events_outbox_events\{producer="users",state="parked"\} 1$/m);

    expect(await cli('events:replay', 'users', parked.event_id)).toEqual({
      code: 0,
      stdout: '1 parked event(s) of the users module put back for delivery\n',
    });
    // Delivered again; orders had applied it before, so its inbox answers "duplicate" and nothing changes twice.
    await until(5000, async () => (await db.query('SELECT 1 FROM users.outbox WHERE delivered_at IS NULL')).length === 0);
    expect((await api.get('/health/ready')).body.events.users).toEqual({ pending: 0, parked: 0 });
    expect(await db.query("SELECT count(*)::int AS n FROM orders.inbox WHERE name = 'users.user-deleted'")).toEqual([{ n: 1 }]);
    expect(await cli('events:replay', 'nobody')).toMatchObject({ code: 64 });
  });
});
