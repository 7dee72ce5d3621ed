import request from 'supertest';
import { register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { uniqueEmail } from '../support/api-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem } from '../support/problem.js';

const CREDENTIAL_RATE_LIMIT = 3;

/** Full-width forms (U+FF01-U+FF5E) of printable ASCII: NFKC turns them back. */
const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Seven spellings of one address that accounts treat as the same (docs/auth.md, "Email addresses"). */
function spellingsOf(email: string): string[] {
  const [local, domain] = email.split('@');
  return [
    email,
    email.toUpperCase(),
    `  ${email}\t`,
    fullWidth(email),
    `${fullWidth(local)}@${domain}`,
    `${local}\uff20${domain}`,
    `${local.toUpperCase()}@${fullWidth(domain.toUpperCase())}`,
  ];
}
const ALLOWED_ORIGIN = 'https://app.example.com';

describe('auth: rate limits and CORS allowlist', () => {
  const suite = useE2eSuite('auth-limits', {
    env: {
      CREDENTIAL_RATE_LIMIT: String(CREDENTIAL_RATE_LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
      CORS_ORIGINS: `${ALLOWED_ORIGIN},https://admin.example.com`,
    },
  });
  const api = () => request(suite.baseUrl);

  it(
    `answers 429 COMMON.TOO_MANY_REQUESTS after CREDENTIAL_RATE_LIMIT (${CREDENTIAL_RATE_LIMIT}) login attempts for one ` + `email`,
    async () => {
      const ada = await register(suite.baseUrl);
      const attempt = (password: string) => api().post('/v1/auth/login').send({ email: ada.email, password });
      for (let i = 0; i < CREDENTIAL_RATE_LIMIT; i++) expectProblem(await attempt(`wrong password ${i}`), 401, 'AUTH.INVALID_CREDENTIALS');
      const limited = await attempt(TEST_PASSWORD);
      expectProblem(limited, 429, 'COMMON.TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Even the right password waits out the window; another account behind the same address does not.
      expectProblem(await attempt(TEST_PASSWORD), 429, 'COMMON.TOO_MANY_REQUESTS');
      const bob = await register(suite.baseUrl);
      expect((await api().post('/v1/auth/login').send({ email: bob.email, password: TEST_PASSWORD })).status).toBe(200);
    },
  );

  it(
    `counts every spelling of one address (case, spaces, full-width forms) against the same CREDENTIAL_RATE_LIMIT ` +
      `(${CREDENTIAL_RATE_LIMIT})`,
    async () => {
      const ada = await register(suite.baseUrl);
      const spellings = spellingsOf(ada.email);
      expect(new Set(spellings).size).toBe(7);
      const statuses: number[] = [];
      for (const email of [...spellings, ...spellings]) {
        const res = await api().post('/v1/auth/login').send({ email, password: 'a wrong password' });
        if (res.status === 401) expectProblem(res, 401, 'AUTH.INVALID_CREDENTIALS');
        else expectProblem(res, 429, 'COMMON.TOO_MANY_REQUESTS');
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(CREDENTIAL_RATE_LIMIT).fill(401), ...Array(14 - CREDENTIAL_RATE_LIMIT).fill(429)]);
      // The spellings are one account: the right password, full-width, waits out the window too.
      expectProblem(
        await api().post('/v1/auth/login').send({ email: spellings[3], password: TEST_PASSWORD }),
        429,
        'COMMON.TOO_MANY_REQUESTS',
      );
    },
  );

  it('limits registration attempts for one email the same way', async () => {
    const email = uniqueEmail('flood');
    const attempt = () => api().post('/v1/auth/register').send({ name: 'Flood', email, password: 'short' });
    for (let i = 0; i < CREDENTIAL_RATE_LIMIT; i++) expectProblem(await attempt(), 400, 'AUTH.WEAK_PASSWORD');
    expectProblem(await attempt(), 429, 'COMMON.TOO_MANY_REQUESTS');
  });

  it('lets only the configured origins call the API from a browser', async () => {
    const preflight = (origin: string) =>
      api()
        .options('/v1/users/me')
        .set('origin', origin)
        .set('access-control-request-method', 'GET')
        .set('access-control-request-headers', 'authorization');
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/authorization/);
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await api().get('/health/live').set('origin', 'https://evil.example');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });
});
