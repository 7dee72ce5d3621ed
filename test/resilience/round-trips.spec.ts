import request from 'supertest';
import { bearer, register } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * In the monolith every request still crosses the bus, so the bus shows what a request costs in
 * messages. Placing an order needs exactly two round trips, HTTP -> orders (`orders.place`) and
 * orders -> users (`users.get`, does the buyer exist), and none to auth: every core checks tokens
 * against its own copy of credential versions.
 */
async function handledByPattern(baseUrl: string): Promise<Map<string, number>> {
  const res = await request(baseUrl).get('/metrics');
  expect(res.status).toBe(200);
  const counts = new Map<string, number>();
  for (const match of res.text.matchAll(/^bus_messages_handled_total\{pattern="([^"]+)"\} (\d+)$/gm)) {
    counts.set(match[1], Number(match[2]));
  }
  return counts;
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [pattern, count] of after) {
    const d = count - (before.get(pattern) ?? 0);
    // Event deliveries run in the background on their own schedule; they are not part of the request.
    if (d > 0 && !pattern.includes('.events.')) changed[pattern] = d;
  }
  return changed;
}

describe('bus round trips of one request in the monolith', () => {
  const suite = useE2eSuite('round-trips', { topology: 'monolith' });

  it('POST /v1/orders makes orders.place and users.get, and no call to auth', async () => {
    const ada = await register(suite.baseUrl);
    const api = request(suite.baseUrl);
    const place = () =>
      api
        .post('/v1/orders')
        .set('authorization', bearer(ada.accessToken))
        .send({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] });
    expect((await place()).status).toBe(201);

    for (let i = 0; i < 3; i++) {
      const before = await handledByPattern(suite.baseUrl);
      expect((await place()).status).toBe(201);
      expect(delta(before, await handledByPattern(suite.baseUrl))).toEqual({ 'orders.place': 1, 'users.get': 1 });
    }
  });

  it('GET /v1/users/me and GET /v1/orders make one round trip each, to their own module', async () => {
    const ada = await register(suite.baseUrl);
    for (const [path, pattern] of [
      ['/v1/users/me', 'users.get'],
      ['/v1/orders', 'orders.list'],
    ]) {
      const before = await handledByPattern(suite.baseUrl);
      expect((await request(suite.baseUrl).get(path).set('authorization', bearer(ada.accessToken))).status).toBe(200);
      expect(delta(before, await handledByPattern(suite.baseUrl))).toEqual({ [pattern]: 1 });
    }
  });
});
