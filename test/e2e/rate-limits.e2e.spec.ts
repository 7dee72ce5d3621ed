import request from 'supertest';
import { uniqueEmail } from '../support/api-fixtures.js';
import { bearer, register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem } from '../support/problem.js';

describe('rate limits: one general bucket per client across every route but the health probes', () => {
  const LIMIT = 40;
  const suite = useE2eSuite('rate-general', { env: { RATE_LIMIT: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' } });
  const remainingAfter = async (path: string) => Number((await request(suite.baseUrl).get(path)).headers['x-ratelimit-remaining']);

  // First: the next test spends this client's whole bucket.
  it(`never refuses /health/live or /health/ready, nor counts them against RATE_LIMIT (${LIMIT})`, async () => {
    const before = await remainingAfter('/v1/users/me');
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < LIMIT + 10; i++) {
      const res = await request(suite.baseUrl).get(i % 2 ? '/health/ready' : '/health/live');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
    }
    expect(await remainingAfter('/v1/users/me')).toBe(before - 1);
  });

  it('counts requests to different routes against the same RATE_LIMIT', async () => {
    const remaining = await remainingAfter('/v1/users/me');
    expect(remaining).toBeGreaterThan(0);
    const paths = ['/v1/orders', '/v1/users/me', '/v1/users'];
    for (let i = 0; i < remaining; i++) {
      const res = await request(suite.baseUrl).get(paths[i % paths.length]);
      expect(res.status).not.toBe(429);
    }
    const limited = await request(suite.baseUrl).get('/v1/orders');
    expectProblem(limited, 429, 'COMMON.TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    // A spent budget still leaves the probes answering.
    expect((await request(suite.baseUrl).get('/health/live')).status).toBe(200);
  });
});

describe('rate limits: credential routes per client and per account', () => {
  const CLIENT_LIMIT = 6;
  const ACCOUNT_LIMIT = 3;
  const suite = useE2eSuite('rate-credentials', {
    env: {
      CREDENTIAL_CLIENT_RATE_LIMIT: String(CLIENT_LIMIT),
      CREDENTIAL_RATE_LIMIT: String(ACCOUNT_LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
    },
  });
  const api = () => request(suite.baseUrl);

  // One client (this test runner) shares the CREDENTIAL_CLIENT_RATE_LIMIT bucket across both tests, in this order.
  it(`limits password changes with a wrong current password to CREDENTIAL_RATE_LIMIT (${ACCOUNT_LIMIT}) per account`, async () => {
    const ada = await register(suite.baseUrl);
    const change = (currentPassword: string) =>
      api()
        .patch('/v1/auth/password')
        .set('authorization', bearer(ada.accessToken))
        .send({ currentPassword, newPassword: 'another long passphrase 42' });
    for (let i = 0; i < ACCOUNT_LIMIT; i++) expectProblem(await change(`wrong password ${i}`), 401, 'AUTH.INVALID_CREDENTIALS');
    const limited = await change(TEST_PASSWORD);
    expectProblem(limited, 429, 'COMMON.TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it(`limits registrations from one client across different emails to CREDENTIAL_CLIENT_RATE_LIMIT (${CLIENT_LIMIT})`, async () => {
    // The previous test spent 1 registration and 4 password changes of this client's bucket.
    const used = 1 + ACCOUNT_LIMIT + 1;
    for (let i = used; i < CLIENT_LIMIT; i++) {
      const res = await api()
        .post('/v1/auth/register')
        .send({ name: 'Flood', email: uniqueEmail('flood'), password: TEST_PASSWORD });
      expect(res.status).toBe(201);
    }
    const limited = await api()
      .post('/v1/auth/register')
      .send({ name: 'Flood', email: uniqueEmail('flood'), password: TEST_PASSWORD });
    expectProblem(limited, 429, 'COMMON.TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const login = await api()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail('other'), password: TEST_PASSWORD });
    expectProblem(login, 429, 'COMMON.TOO_MANY_REQUESTS');
  });
});
