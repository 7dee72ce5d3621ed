import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { authFor, createUser, uniqueEmail } from '../support/api-fixtures.js';
import { JWT_AUDIENCE, JWT_ISSUER, refreshCookie, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem, expectRawProblem, violatedFields } from '../support/problem.js';
import { rawHttp, rawRequest } from '../support/raw-http.js';

/** `{"a":{"a":…1…}}` or `[[…]]`, `levels` deep: a few KB of text. */
const nested = (levels: number, kind: 'object' | 'array') =>
  kind === 'object' ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}` : `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('HTTP hardening: hostile input is answered as problem+json, never as a 500', () => {
  const suite = useE2eSuite('http-hardening');
  const api = () => request(suite.baseUrl);
  const raw = (method: string, target: string, headers: Record<string, string> = {}, body = '') =>
    rawRequest(suite.baseUrl, rawHttp(method, target, headers, body));

  describe('JSON depth and text', () => {
    it.each([['object'], ['array']] as const)(
      'refuses a JSON body nested 3000 levels deep (%s) as 400 COMMON.MALFORMED_REQUEST',
      async (kind) => {
        const body = `{"name":${nested(3000, kind)},"email":"${uniqueEmail()}","password":"${TEST_PASSWORD}"}`;
        const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
        expectProblem(res, 400, 'COMMON.MALFORMED_REQUEST');
      },
    );

    it('refuses deep nesting inside an authenticated body the same way', async () => {
      const user = await createUser(suite.baseUrl);
      const body = `{"items":[{"sku":"A","quantity":1,"unitPriceCents":1,"x":${nested(3000, 'array')}}]}`;
      const res = await api().post('/v1/orders').set('authorization', authFor(user)).set('content-type', 'application/json').send(body);
      expectProblem(res, 400, 'COMMON.MALFORMED_REQUEST');
    });

    it('refuses a NUL character in a login email as 400 COMMON.VALIDATION_FAILED naming the field', async () => {
      const res = await api().post('/v1/auth/login').send({ email: 'ada\u0000@example.com', password: TEST_PASSWORD });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
    });

    it('refuses a NUL character in a query parameter', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().get('/v1/orders?cursor=%00abc').set('authorization', authFor(user));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['cursor']);
    });

    it('refuses a lone UTF-16 surrogate in an email as 400 COMMON.VALIDATION_FAILED', async () => {
      const body = `{"name":"Ada","email":"ada\\ud800@example.com","password":"${TEST_PASSWORD}"}`;
      const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
    });

    it('refuses a __proto__ key as any unknown field: 400 COMMON.VALIDATION_FAILED naming it', async () => {
      const body = `{"name":"Ada","email":"${uniqueEmail()}","password":"${TEST_PASSWORD}","__proto__":{"role":"admin"}}`;
      const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['__proto__']);
    });
  });

  describe('paths, methods and headers the router or the HTTP parser refuses', () => {
    it.each([['/docs/../../etc/passwd'], ['/docs/%2e%2e/%2e%2e/package.json'], ['/docs/./index.html'], ['/v1/users/../orders']])(
      'answers the raw path %s with 400 COMMON.MALFORMED_REQUEST',
      async (path) => expectRawProblem(await raw('GET', path), 400, 'COMMON.MALFORMED_REQUEST'),
    );

    it('answers malformed percent-encoding with 400 COMMON.MALFORMED_REQUEST', async () => {
      expectRawProblem(await raw('GET', '/v1/users/%zz'), 400, 'COMMON.MALFORMED_REQUEST');
    });

    it('answers a path parameter over the length limit with 414 COMMON.URI_TOO_LONG, without echoing the path', async () => {
      const res = await raw('GET', `/v1/users/${'a'.repeat(300)}`);
      expectRawProblem(res, 414, 'COMMON.URI_TOO_LONG');
      expect(res.text).not.toContain('a'.repeat(100));
    });

    it('answers oversized headers with 431 COMMON.HEADERS_TOO_LARGE', async () => {
      expectRawProblem(await raw('GET', '/v1/users/me', { 'x-filler': 'a'.repeat(20_000) }), 431, 'COMMON.HEADERS_TOO_LARGE');
    });

    it('answers a method HTTP does not know with 405 COMMON.METHOD_NOT_ALLOWED and Allow', async () => {
      const res = await raw('FOO', '/v1/orders');
      expectRawProblem(res, 405, 'COMMON.METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('GET, HEAD, POST');
    });

    it.each([
      ['PUT', '/v1/orders', 'GET, HEAD, POST'],
      ['TRACE', '/v1/orders', 'GET, HEAD, POST'],
      ['DELETE', `/v1/orders/${randomUUID()}`, 'GET, HEAD'],
      ['GET', `/v1/orders/${randomUUID()}/cancel`, 'POST'],
      ['POST', '/health/ready', 'GET, HEAD'],
    ])('answers %s %s with 405 COMMON.METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
      const res = await raw(method, path);
      expectRawProblem(res, 405, 'COMMON.METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe(allow);
    });

    it('keeps 404 COMMON.ROUTE_NOT_FOUND for a path no route has, with the same headers', async () => {
      expectRawProblem(await raw('PUT', '/v1/nothing-here'), 404, 'COMMON.ROUTE_NOT_FOUND');
    });

    it('answers a bad JSON body with the same headers', async () => {
      const res = await raw('POST', '/v1/auth/login', { 'content-type': 'application/json' }, '{"email":');
      expectRawProblem(res, 400, 'COMMON.MALFORMED_REQUEST');
    });
  });

  it('refuses a correctly signed refresh token whose id is not a UUID as 401 AUTH.UNAUTHENTICATED', async () => {
    const secret = Object.values(suite.topology.processes)[0].env.JWT_SECRET;
    const signer = new JwtService({ secret, signOptions: { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE } });
    const token = signer.sign(
      { token_use: 'refresh', ver: 1, fam: randomUUID() },
      { subject: randomUUID(), jwtid: 'not-a-uuid', expiresIn: 600 },
    );
    const res = await api().post('/v1/auth/refresh').set('cookie', refreshCookie(token));
    expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
  });
});
