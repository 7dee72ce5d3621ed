import { randomUUID } from 'node:crypto';
import { TEST_PASSWORD } from '../support/auth-fixtures.js';
import { type HttpOutcome, sendJson } from '../support/http-call.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * Limits hold for the deployment, not per process: behind two gateways taking turns (rate limits in
 * Redis) a client gets the documented budget once, and failed sign-ins made through two auth replicas
 * add up to one account's budget.
 */
const RATE_LIMIT = 50;
const FAILED_ATTEMPTS = 4;

describe('limits across replicas', () => {
  let topology: RunningTopology;
  let used = 0;

  beforeAll(async () => {
    topology = await startTopology('replicas-nats', {
      label: 'replicas-limits',
      env: {
        RATE_LIMIT: String(RATE_LIMIT),
        RATE_LIMIT_WINDOW_MS: '120000',
        AUTH_FAILED_ATTEMPTS: String(FAILED_ATTEMPTS),
        LOG_LEVEL: 'info',
      },
    });
  }, 240_000);

  afterAll(() => topology?.stop(), 60_000);

  const send = async (method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<HttpOutcome> => {
    used += 1;
    return sendJson(topology.baseUrl, method, path, body, `limits-${randomUUID()}`, headers);
  };

  it(`refuses an account after ${FAILED_ATTEMPTS} failed sign-ins, whichever auth replica counted them`, async () => {
    const email = `limits-${randomUUID()}@example.com`;
    expect((await send('POST', '/v1/auth/register', { name: 'Limits', email, password: TEST_PASSWORD })).status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_ATTEMPTS + 2; i++) {
      statuses.push((await send('POST', '/v1/auth/login', { email, password: 'not the password at all' })).status!);
    }
    console.log(`[limits] wrong passwords through two gateways and two auth replicas: ${statuses.join(' ')}`);
    expect(statuses).toEqual([...Array(FAILED_ATTEMPTS).fill(401), 429, 429]);
  });

  it(`allows one client ${RATE_LIMIT} requests per window in all, across both gateways`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await send('GET', '/v1/users/me')).status!);
    for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await send('GET', '/v1/users/me')).status!);
    const allowed = statuses.filter((s) => s !== 429).length;
    console.log(
      `[limits] ${statuses.length} more requests by one client through 2 gateways after ${used - statuses.length} earlier ones: ` +
        `${allowed} answered, ${statuses.length - allowed} refused with 429 (limit ${RATE_LIMIT} per window)`,
    );
    expect(allowed).toBe(RATE_LIMIT - (used - statuses.length));
    expect(statuses.slice(allowed).every((s) => s === 429)).toBe(true);
  });
});
