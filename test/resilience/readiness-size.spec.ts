import { get } from 'node:http';
import { TestDatabase } from '../support/test-database.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * Readiness stays cheap however large the outbox grows: with a million delivered events kept (and a
 * few pending and parked), /health/ready answers in under 100 ms and still counts what matters.
 */
const DELIVERED = 1_000_000;

function probe(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
    }).on('error', reject);
  });
}

describe('readiness with a large outbox', () => {
  let topology: RunningTopology;
  const db = new TestDatabase();

  beforeAll(async () => {
    topology = await startTopology('monolith', { label: 'readiness-size', env: { RETENTION_INTERVAL_MS: '0' } });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  it(`answers in under 100 ms with ${DELIVERED.toLocaleString('en')} delivered outbox rows`, async () => {
    const started = performance.now();
    await db.query(
      `
      INSERT INTO users.outbox (event_id, consumer, name, aggregate_id, payload, occurred_at, delivered_at)
      SELECT gen_random_uuid(), 'orders', 'users.user-deleted', g::text, '{}'::jsonb, now() - interval '1 day', now() - interval '1 day'
      FROM generate_series(1, $1) g`,
      [DELIVERED],
    );
    await db.query(`
      INSERT INTO users.outbox (event_id, consumer, name, aggregate_id, payload, occurred_at, parked_at, attempts, next_attempt_at)
      SELECT gen_random_uuid(), 'nobody-' || g, 'users.user-deleted', 'parked-' || g, '{}'::jsonb,
             now(), now(), 10, now() + interval '1 day'
      FROM generate_series(1, 3) g`);
    await db.query('VACUUM ANALYZE users.outbox');
    console.log(`[readiness] ${DELIVERED} delivered rows written in ${Math.round(performance.now() - started)} ms`);

    const url = `${topology.baseUrl}/health/ready`;
    for (let i = 0; i < 3; i++) await probe(url);
    const times: number[] = [];
    let last = { status: 0, body: '', ms: 0 };
    for (let i = 0; i < 20; i++) {
      last = await probe(url);
      expect(last.status).toBe(200);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    console.log(`[readiness] /health/ready over 20 probes: p50 ${times[10].toFixed(1)} ms, max ${times[19].toFixed(1)} ms`);
    expect(JSON.parse(last.body).events.users).toEqual({ pending: 0, parked: 3 });
    expect(times[19]).toBeLessThan(100);
  }, 180_000);
});
