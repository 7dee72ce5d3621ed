import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { authFor, createUser, uniqueEmail } from '../support/api-fixtures.js';
import { TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem } from '../support/problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP edge: routing, bodies and correlation ids', () => {
  const suite = useE2eSuite('http');
  const api = () => request(suite.baseUrl);
  const userCount = async () => Number((await suite.db.query<{ n: string }>('SELECT count(*) AS n FROM users.users'))[0].n);

  it.each([
    ['GET', '/v1/nothing-here'],
    ['GET', '/v2/users'],
    ['POST', '/v1/users/extra/segments'],
  ])('answers 404 COMMON.ROUTE_NOT_FOUND for %s %s', async (method, path) => {
    const res = await api()[method.toLowerCase() as 'get' | 'post'](path);
    expectProblem(res, 404, 'COMMON.ROUTE_NOT_FOUND');
    expect(res.body.instance).toBe(path);
  });

  it('answers 413 COMMON.PAYLOAD_TOO_LARGE for a body over 100 KiB, and stores nothing', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(101 * 1024), email: uniqueEmail(), password: TEST_PASSWORD });
    const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
    expectProblem(res, 413, 'COMMON.PAYLOAD_TOO_LARGE');
    expect(await userCount()).toBe(0);
  });

  it('accepts a body just under the limit as far as validation', async () => {
    // Big but under 100 KiB: it reaches validation, which refuses the 99 KiB name (max 100 chars).
    const body = JSON.stringify({ name: 'x'.repeat(99 * 1024), email: uniqueEmail(), password: TEST_PASSWORD });
    const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
    expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
  });

  it('answers 415 COMMON.UNSUPPORTED_MEDIA_TYPE for a text/plain body, and stores nothing', async () => {
    const res = await api()
      .post('/v1/auth/register')
      .set('content-type', 'text/plain')
      .send(`{"name":"Ada","email":"${uniqueEmail()}","password":"${TEST_PASSWORD}"}`);
    expectProblem(res, 415, 'COMMON.UNSUPPORTED_MEDIA_TYPE');
    expect(await userCount()).toBe(0);
  });

  it.each([['{"name": "Ada", '], ['{name: "Ada"}'], ['']])('answers 400 COMMON.MALFORMED_REQUEST for the JSON body %p', async (body) => {
    const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
    expectProblem(res, 400, 'COMMON.MALFORMED_REQUEST');
  });

  it('gives every response an x-correlation-id and repeats it in problem bodies', async () => {
    const ok = await api().get('/health/live');
    expect(ok.headers['x-correlation-id']).toMatch(UUID);
    const problem = await api().get('/v1/nothing-here');
    expect(problem.headers['x-correlation-id']).toMatch(UUID);
    expect(problem.body.correlationId).toBe(problem.headers['x-correlation-id']);
    expect(problem.headers['x-correlation-id']).not.toBe(ok.headers['x-correlation-id']);
  });

  it("keeps a caller's plain correlation id, also through the modules' bus", async () => {
    const id = `e2e-${Date.now()}.trace:1`;
    const created = await api()
      .post('/v1/auth/register')
      .set('x-correlation-id', id)
      .send({ name: 'Ada', email: uniqueEmail(), password: TEST_PASSWORD });
    expect(created.status).toBe(201);
    expect(created.headers['x-correlation-id']).toBe(id);

    // The request crosses to the orders core (which asks auth about the caller); its error comes back with the caller's id.
    const user = await createUser(suite.baseUrl);
    const refused = await api().get(`/v1/orders/${randomUUID()}`).set('authorization', authFor(user)).set('x-correlation-id', id);
    expectProblem(refused, 404, 'ORDERS.NOT_FOUND');
    expect(refused.headers['x-correlation-id']).toBe(id);
    expect(refused.body.correlationId).toBe(id);
  });

  it.each([['has spaces'], ['x'.repeat(129)], ['<script>']])('replaces an unsafe caller correlation id %p', async (unsafe) => {
    const res = await api().get('/health/live').set('x-correlation-id', unsafe);
    expect(res.status).toBe(200);
    expect(res.headers['x-correlation-id']).toMatch(UUID);
  });
});
