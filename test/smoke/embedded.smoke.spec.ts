import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { authFor, createUser, placeOrder, uniqueEmail } from '../support/api-fixtures.js';
import { authTestEnv } from '../support/auth-fixtures.js';
import { AppProcess, baseEnv, PROJECT_ROOT } from '../support/app-process.js';
import { freePort } from '../support/free-port.js';

/**
 * The first run needs no database server: without DATABASE_URL the built application keeps its data
 * in embedded PostgreSQL under DATA_DIR, and that data survives a restart.
 */
describe('embedded database smoke test', () => {
  let app: AppProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mm-smoke-'));
    const port = await freePort();
    app = new AppProcess({
      name: 'embedded',
      port,
      // baseEnv() carries no DATABASE_URL, so the process uses the embedded database. A fixed JWT_SECRET
      // keeps the access token valid across the restart.
      env: { ...baseEnv(), ...authTestEnv(), HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir },
      logFile: join(PROJECT_ROOT, '.tmp', 'smoke', 'embedded.log'),
    });
  });

  afterAll(async () => {
    await app?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a user and an order, and reads both back after a restart', async () => {
    await app.start();
    const email = uniqueEmail('smoke');
    const user = await createUser(app.url, { name: 'Grace Hopper', email });
    const order = await placeOrder(app.url, user.id, [{ sku: 'COBOL-1959', quantity: 2, unitPriceCents: 250 }]);
    expect(order).toMatchObject({ userId: user.id, status: 'pending', totalCents: 500 });
    const asUser = authFor(user);
    expect((await request(app.url).get(`/v1/users/${user.id}`).set('authorization', asUser)).body).toEqual(user);
    expect((await request(app.url).get(`/v1/orders/${order.id}`).set('authorization', asUser)).body).toEqual(order);

    // A graceful stop: Nest closes the application, then re-raises the signal it received.
    const exit = await app.kill('SIGTERM');
    expect(exit.code === 0 || exit.signal === 'SIGTERM' ? 'graceful' : exit).toBe('graceful');

    await app.start();
    const userAgain = await request(app.url).get(`/v1/users/${user.id}`).set('authorization', asUser);
    expect(userAgain.status).toBe(200);
    expect(userAgain.body).toEqual(user);
    const orderAgain = await request(app.url).get(`/v1/orders/${order.id}`).set('authorization', asUser);
    expect(orderAgain.status).toBe(200);
    expect(orderAgain.body).toEqual(order);
    expect((await request(app.url).get('/v1/orders').set('authorization', asUser).query({ userId: user.id })).body.items).toEqual([order]);
  }, 120_000);
});
