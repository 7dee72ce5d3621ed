import request from 'supertest';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem } from '../support/problem.js';

const TOKEN = 'e2e-metrics-scrape-token-0123456789';

describe('GET /metrics with METRICS_TOKEN set', () => {
  const suite = useE2eSuite('metrics', { env: { METRICS_TOKEN: TOKEN } });
  const metrics = () => request(suite.baseUrl).get('/metrics');

  it.each([
    ['no credential', undefined],
    ['a wrong token', 'Bearer e2e-metrics-scrape-token-0123456788'],
    ['the token in another scheme', `Basic ${TOKEN}`],
  ])('answers %s with 401 AUTH.UNAUTHENTICATED, even from loopback', async (_label, authorization) => {
    const res = authorization ? await metrics().set('authorization', authorization) : await metrics();
    expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
    expect(res.text).not.toContain('http_request_duration_seconds');
  });

  it('serves the Prometheus text to the bearer of the token', async () => {
    const res = await metrics().set('authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('http_request_duration_seconds');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
