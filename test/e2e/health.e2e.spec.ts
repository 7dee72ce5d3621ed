import request from 'supertest';
import { useE2eSuite } from '../support/e2e-suite.js';

describe('health and documentation', () => {
  const suite = useE2eSuite('health');

  it('answers /health/live with 200', async () => {
    const res = await request(suite.baseUrl).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers /health/ready with 200 once every dependency answers', async () => {
    const res = await request(suite.baseUrl).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('serves the OpenAPI document with the users and orders paths', async () => {
    const res = await request(suite.baseUrl).get('/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/users/{id}', '/v1/orders', '/v1/orders/{id}', '/v1/orders/{id}/cancel']),
    );
  });
});
