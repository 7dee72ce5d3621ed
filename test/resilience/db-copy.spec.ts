import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import request from 'supertest';
import { AppProcess, baseEnv, PROJECT_ROOT } from '../support/app-process.js';
import { admin, authTestEnv, bearer, login, register, TEST_PASSWORD, type Session } from '../support/auth-fixtures.js';
import { freePort } from '../support/free-port.js';
import { testDatabaseName, testDatabaseUrl } from '../support/test-database.js';
import { authMigrations } from '../../migrations/auth/index.js';
import { ordersMigrations } from '../../migrations/orders/index.js';
import { usersMigrations } from '../../migrations/users/index.js';

/**
 * From the embedded default to PostgreSQL: an application that ran on its embedded database (accounts,
 * orders, a deleted account and the events that followed) is stopped, `db:copy` copies its data into a
 * new PostgreSQL database, and the application started on that database serves the same data and
 * goes on writing where the embedded one stopped.
 */
const run = promisify(execFile);
const CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli.js');

/** A database of its own next to the suite's test database (its name keeps "test" in it). */
function copyDatabaseUrl(): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${testDatabaseName(url.toString())}_copy`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('db:copy: the embedded database into PostgreSQL', () => {
  const target = copyDatabaseUrl();
  let dataDir: string;
  let env: Record<string, string>;
  let embedded: AppProcess;
  let onPostgres: AppProcess;

  const cli = (...args: string[]) =>
    run(process.execPath, [CLI, ...args], { env: { ...baseEnv(), DATA_DIR: dataDir }, cwd: PROJECT_ROOT }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  beforeAll(async () => {
    testDatabaseName(target);
    const server = new URL(target);
    server.pathname = '/postgres';
    await withClient(server.toString(), async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${testDatabaseName(target)}"`);
      await client.query(`CREATE DATABASE "${testDatabaseName(target)}"`);
    });
    dataDir = mkdtempSync(join(tmpdir(), 'mm-copy-'));
    // One JWT secret for both runs: tokens issued on the embedded database stay valid on PostgreSQL.
    env = { ...baseEnv(), ...authTestEnv(), HOST: '127.0.0.1', SHUTDOWN_READINESS_DELAY_MS: '0' };
    const port = await freePort();
    const logDir = join(PROJECT_ROOT, '.tmp', 'e2e', 'db-copy');
    embedded = new AppProcess({
      name: 'embedded',
      port,
      env: { ...env, PORT: String(port), DATA_DIR: dataDir },
      logFile: join(logDir, 'embedded.log'),
    });
    onPostgres = new AppProcess({
      name: 'postgres',
      port,
      env: { ...env, PORT: String(port), DATABASE_URL: target },
      logFile: join(logDir, 'postgres.log'),
    });
  }, 60_000);

  afterAll(async () => {
    await embedded?.kill('SIGKILL');
    await onPostgres?.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it(
    'copies every module schema, refuses to copy twice or while the embedded database is open, and the copy serves the same ' + 'data',
    async () => {
      await embedded.start();
      const url = embedded.url;
      const api = () => request(url);
      const root = await admin(url);
      const ada = await register(url, { name: 'Ada Lovelace' });
      const grace = await register(url, { name: 'Grace Hopper' });
      const gone = await register(url, { name: 'Soon Gone' });
      const place = async (who: Session, sku: string) => {
        const res = await api()
          .post('/v1/orders')
          .set('authorization', bearer(who.accessToken))
          .set('idempotency-key', `copy-${sku}`)
          .send({ items: [{ sku, quantity: 2, unitPriceCents: 1999 }] });
        expect(res.status).toBe(201);
        return res.body as { id: string; status: string };
      };
      const adaOrder = await place(ada, 'BOOK-1');
      const graceOrder = await place(grace, 'BOOK-2');
      const goneOrder = await place(gone, 'BOOK-3');
      expect(
        (
          await api()
            .patch(`/v1/users/${grace.userId}`)
            .set('authorization', bearer(grace.accessToken))
            .send({ name: 'Rear Admiral Hopper' })
        ).status,
      ).toBe(200);
      expect((await api().delete(`/v1/users/${gone.userId}`).set('authorization', bearer(gone.accessToken))).status).toBe(204);
      // The deletion's events reach orders (the pending order is cancelled) and auth (the account goes).
      const deadline = Date.now() + 10_000;
      while ((await api().get(`/v1/orders/${goneOrder.id}`).set('authorization', bearer(root.accessToken))).body.status !== 'cancelled') {
        if (Date.now() > deadline) throw new Error('the deletion never cancelled the pending order');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const before = {
        ada: (await api().get(`/v1/users/${ada.userId}`).set('authorization', bearer(ada.accessToken))).body,
        grace: (await api().get('/v1/users/me').set('authorization', bearer(grace.accessToken))).body,
        adaOrder: (await api().get(`/v1/orders/${adaOrder.id}`).set('authorization', bearer(ada.accessToken))).body,
        graceOrder: (await api().get(`/v1/orders/${graceOrder.id}`).set('authorization', bearer(grace.accessToken))).body,
        goneOrder: (await api().get(`/v1/orders/${goneOrder.id}`).set('authorization', bearer(root.accessToken))).body,
        everyone: (await api().get('/v1/users').set('authorization', bearer(root.accessToken))).body,
      };
      expect(before.grace.name).toBe('Rear Admiral Hopper');
      expect(before.goneOrder.status).toBe('cancelled');

      // The embedded database belongs to the running process: no copy while it is open.
      const whileRunning = await cli('db:copy', '--to', target);
      expect(whileRunning.code).toBe(1);
      const lock = join(dataDir, 'pglite.lock');
      expect(whileRunning.stdout).toBe(
        `db:copy refused: The embedded database in ${join(dataDir, 'pglite')} is in use by process ${embedded.pid} on ${hostname()} ` +
          `(since ${JSON.parse(readFileSync(lock, 'utf8')).since}); stop that process first. If no such process runs any more, delete ` +
          `${lock}.\n`,
      );
      expect(await embedded.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(existsSync(lock)).toBe(false);

      expect(await cli('db:copy')).toEqual({ code: 64, stdout: 'usage: db:copy --to <postgres://user:password@host:port/database>\n' });
      const copied = await cli('db:copy', '--to', target);
      process.stdout.write(`\n[db:copy] ${copied.stdout}`);
      expect(copied).toEqual({
        code: 0,
        stdout: expect.stringMatching(
          /^Copied the embedded database in .+ to postgres:\/\/.+: users: \d+ rows in \d+ tables, \d+ sequences; orders: .+; auth: .+\n$/,
        ),
      });
      // Into a database that now holds the data: refused, with the same words every time.
      expect(await cli('db:copy', `--to=${target}`)).toEqual({
        code: 1,
        stdout: expect.stringMatching(
          new RegExp(
            String.raw`^db:copy refused: the target database already holds data in schema "users" \(table "users"\."\w+"\); ` +
              String.raw`copy into a new database, or one whose module schemas are absent or empty\n$`,
          ),
        ),
      });

      const counts = await withClient(target, async (db) => ({
        migrations: (
          await db.query(
            `SELECT (SELECT count(*) FROM users.migrations) + (SELECT count(*) FROM orders.migrations) + (SELECT count(*) FROM ` +
              `auth.migrations) AS n`,
          )
        ).rows[0].n,
        events: (await db.query(`SELECT (SELECT count(*) FROM users.outbox) + (SELECT count(*) FROM auth.outbox) AS n`)).rows[0].n,
        applied: (await db.query(`SELECT count(*) AS n FROM orders.inbox WHERE name = 'users.user-deleted'`)).rows[0].n,
        userSeq: (await db.query('SELECT max(seq)::int AS n FROM users.users')).rows[0].n,
        outboxSeq: (await db.query('SELECT max(seq)::int AS n FROM auth.outbox')).rows[0].n,
      }));
      // Every migration of every module, as the embedded database recorded them.
      expect(Number(counts.migrations)).toBe(usersMigrations.length + ordersMigrations.length + authMigrations.length);
      expect(Number(counts.events)).toBeGreaterThan(0);
      expect(Number(counts.applied)).toBe(1);

      // The copy, served from PostgreSQL: the same answers, the same tokens, the same passwords.
      await onPostgres.start();
      const pgApi = () => request(onPostgres.url);
      expect((await pgApi().get(`/v1/users/${ada.userId}`).set('authorization', bearer(ada.accessToken))).body).toEqual(before.ada);
      expect((await pgApi().get('/v1/users/me').set('authorization', bearer(grace.accessToken))).body).toEqual(before.grace);
      expect((await pgApi().get(`/v1/orders/${adaOrder.id}`).set('authorization', bearer(ada.accessToken))).body).toEqual(before.adaOrder);
      expect((await pgApi().get(`/v1/orders/${graceOrder.id}`).set('authorization', bearer(grace.accessToken))).body).toEqual(
        before.graceOrder,
      );
      expect((await pgApi().get(`/v1/orders/${goneOrder.id}`).set('authorization', bearer(root.accessToken))).body).toEqual(
        before.goneOrder,
      );
      expect((await pgApi().get('/v1/users').set('authorization', bearer(root.accessToken))).body).toEqual(before.everyone);
      expect((await pgApi().get('/v1/users/me').set('authorization', bearer(gone.accessToken))).status).toBe(401);
      expect((await login(onPostgres.url, ada.email, TEST_PASSWORD)).userId).toBe(ada.userId);
      // The same Idempotency-Key answers the order placed on the embedded database.
      const replay = await pgApi()
        .post('/v1/orders')
        .set('authorization', bearer(ada.accessToken))
        .set('idempotency-key', 'copy-BOOK-1')
        .send({ items: [{ sku: 'BOOK-1', quantity: 2, unitPriceCents: 1999 }] });
      expect(replay.body.id).toBe(adaOrder.id);

      // New writes continue the sequences where the embedded database left them.
      const newcomer = await register(onPostgres.url, { name: 'Katherine Johnson' });
      const newOrder = await pgApi()
        .post('/v1/orders')
        .set('authorization', bearer(newcomer.accessToken))
        .send({ items: [{ sku: 'NEW-1', quantity: 1, unitPriceCents: 100 }] });
      expect(newOrder.status).toBe(201);
      const after = await withClient(target, async (db) => ({
        userSeq: (await db.query('SELECT seq::int AS n FROM users.users WHERE id = $1', [newcomer.userId])).rows[0].n,
        outboxSeq: (await db.query('SELECT min(seq)::int AS n FROM auth.outbox WHERE aggregate_id = $1', [newcomer.userId])).rows[0].n,
      }));
      // Four accounts were registered on the embedded database, the deleted one (the last) included: the
      // sequence goes on from its fourth value, not from the highest row left (3) nor from 1.
      expect(counts.userSeq).toBe(3);
      expect(after).toEqual({ userSeq: 5, outboxSeq: counts.outboxSeq + 1 });
      expect(await onPostgres.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    },
    180_000,
  );
});
