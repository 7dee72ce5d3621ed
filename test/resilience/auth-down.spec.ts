import request from 'supertest';
import { bearer, register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { expectProblem } from '../support/problem.js';
import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * With the process hosting auth stopped, the gateway (users and orders in-process) keeps serving callers
 * whose tokens are valid: no core asks auth anything on a request. What only auth can do (sign in,
 * register, refresh) answers 503 until it is back.
 */
describe('the users and orders cores while auth is down (auth over TCP)', () => {
  const suite = useE2eSuite('auth-down', { topology: 'auth-tcp', env: { BUS_DEADLINE_MS: '2000' } });

  it('serves GET /v1/users/me, GET /v1/orders and POST /v1/orders; login and register answer 503 problem+json', async () => {
    const { topology } = suite;
    expect(topology.processes.auth.env.MODULES).toBe('auth');
    expect(topology.processes.gateway.env.MODULES).toBe('users,orders');
    const ada = await register(topology.baseUrl);
    const api = request(topology.baseUrl);
    const authorization = bearer(ada.accessToken);
    const first = await api
      .post('/v1/orders')
      .set('authorization', authorization)
      .send({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 5 }] });
    expect(first.status).toBe(201);

    await topology.processes.auth.kill('SIGKILL');

    const me = await api.get('/v1/users/me').set('authorization', authorization);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(ada.userId);
    const placed = await api
      .post('/v1/orders')
      .set('authorization', authorization)
      .send({ items: [{ sku: 'B', quantity: 2, unitPriceCents: 7 }] });
    expect(placed.status).toBe(201);
    const listed = await api.get('/v1/orders').set('authorization', authorization);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([first.body.id, placed.body.id]);
    // Readiness reports auth unreachable without failing: this process still serves what it owns.
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.remote['auth-bus']).toMatchObject({ status: 'down', transport: 'tcp' });

    const login = await api.post('/v1/auth/login').send({ email: ada.email, password: TEST_PASSWORD });
    expectProblem(login, 503, 'BUS.UNAVAILABLE');
    expect(login.headers['retry-after']).toMatch(/^\d+$/);
    expectProblem(
      await api.post('/v1/auth/register').send({ name: 'Late Comer', email: `late-${ada.email}`, password: TEST_PASSWORD }),
      503,
      'BUS.UNAVAILABLE',
    );

    // Back again: sign-in works as soon as the gateway's circuit to auth lets a call through.
    await topology.processes.auth.start();
    const backAt = Date.now();
    let again = await api.post('/v1/auth/login').send({ email: ada.email, password: TEST_PASSWORD });
    while (again.status === 503 && Date.now() - backAt < 5000) {
      await new Promise((r) => setTimeout(r, 200));
      again = await api.post('/v1/auth/login').send({ email: ada.email, password: TEST_PASSWORD });
    }
    expect(again.status).toBe(200);
  }, 60_000);
});
