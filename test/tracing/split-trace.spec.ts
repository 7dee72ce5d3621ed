import request from 'supertest';
import { bearer, register } from '../support/auth-fixtures.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * Every process of the all-split topology exports its spans over OTLP/HTTP to a receiver in this test.
 * One POST /v1/orders must be one trace: the gateway's HTTP span at the root, the gateway's send of
 * orders.place, the orders process handling it (and querying PostgreSQL), orders' send of users.get and
 * the users process handling that, each span's parent being the span that caused it, and no span of the
 * trace left without a path to the root.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tracing across the all-split topology', () => {
  const receiver = new OtlpReceiver();
  let topology: RunningTopology;

  beforeAll(async () => {
    await receiver.start();
    topology = await startTopology('split', {
      label: 'tracing',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await receiver.stop();
  }, 60_000);

  it('makes one POST /v1/orders one trace spanning gateway, orders and users with correct parent links', async () => {
    const buyer = await register(topology.baseUrl, { name: 'Traced Buyer' });
    const placed = await request(topology.baseUrl)
      .post('/v1/orders')
      .set('authorization', bearer(buyer.accessToken))
      .send({ items: [{ sku: 'TRACE-1', quantity: 1, unitPriceCents: 100 }] });
    expect(placed.status).toBe(201);

    const processOf = new Map(Object.entries(topology.processes).map(([name, p]) => [p.pid, name]));
    const isOrderPost = (s: ReceivedSpan) =>
      s.kind === 2 &&
      processOf.get(s.pid) === 'gateway' &&
      Object.values(s.attributes).some((v) => v === '/v1/orders') &&
      Object.values(s.attributes).includes('POST');
    const find = async (predicate: (s: ReceivedSpan) => boolean, what: string) => {
      for (let i = 0; i < 100; i++) {
        const found = receiver.spans.find(predicate);
        if (found) return found;
        await sleep(100);
      }
      throw new Error(`no ${what} span arrived; received: ${receiver.spans.map((s) => `${processOf.get(s.pid)}:${s.name}`).join(', ')}`);
    };

    const root = await find(isOrderPost, 'gateway POST /v1/orders');
    const inTrace = (name: string, process: string) => (s: ReceivedSpan) =>
      s.traceId === root.traceId && s.name === name && processOf.get(s.pid) === process;
    const sendPlace = await find(inTrace('send orders.place', 'gateway'), 'gateway send orders.place');
    const handlePlace = await find(inTrace('handle orders.place', 'orders'), 'orders handle orders.place');
    const sendGet = await find(inTrace('send users.get', 'orders'), 'orders send users.get');
    const handleGet = await find(inTrace('handle users.get', 'users'), 'users handle users.get');
    const ordersQuery = await find(
      (s) =>
        s.traceId === root.traceId &&
        processOf.get(s.pid) === 'orders' &&
        (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'postgresql',
      'orders PostgreSQL query',
    );

    expect(root.parentSpanId).toBeUndefined();
    const byId = new Map(receiver.spans.filter((s) => s.traceId === root.traceId).map((s) => [s.spanId, s]));
    const ancestors = (s: ReceivedSpan): string[] =>
      s.parentSpanId && byId.has(s.parentSpanId) ? [s.parentSpanId, ...ancestors(byId.get(s.parentSpanId)!)] : [];
    expect(ancestors(sendPlace)).toContain(root.spanId);
    expect(handlePlace.parentSpanId).toBe(sendPlace.spanId);
    expect(ancestors(sendGet)).toContain(handlePlace.spanId);
    expect(handleGet.parentSpanId).toBe(sendGet.spanId);
    expect(ordersQuery.traceId).toBe(root.traceId);
    expect(ancestors(ordersQuery)).toContain(handlePlace.spanId);
    // One trace: every span of it, in every process, hangs off the gateway's request span.
    for (const span of byId.values()) if (span !== root) expect([span.name, ancestors(span).at(-1)]).toEqual([span.name, root.spanId]);
    // The cores check the caller's token themselves: auth takes no part in the request.
    expect([...new Set([...byId.values()].map((s) => processOf.get(s.pid)))].sort()).toEqual(['gateway', 'orders', 'users']);
  }, 60_000);
});
