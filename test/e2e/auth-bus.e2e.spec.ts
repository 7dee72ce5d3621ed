import { JwtService } from '@nestjs/jwt';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { createUser, placeOrder, authFor } from '../support/api-fixtures.js';
import { JWT_AUDIENCE, JWT_ISSUER } from '../support/auth-fixtures.js';
import { sendWithMetadata, type SendWithMetadata } from '../support/call-metadata.js';
import { freePort } from '../support/free-port.js';
import { TestDatabase } from '../support/test-database.js';
import { selectedTopology } from '../support/topologies.js';
import { RunningTopology, startTopology, testNatsUrl, testRedisUrl } from '../support/topology.js';

/**
 * The orders core checks the caller itself: a message sent straight to its transport, past the
 * gateway, with user A's genuine token in the packet metadata cannot reach user B's order. The
 * client here is a stock NestJS ClientProxy (TCP, Redis or NATS, as the topology has orders), as any
 * other process on the network could use.
 */
describe("auth: the orders core refuses another user's order when called straight over its transport", () => {
  const name = selectedTopology();
  const overRedis = name === 'orders-redis';
  // With replicas or workers, orders is on NATS (a TCP port would be one process): a stock NATS client
  // sends to the deployment's namespaced subjects.
  const overNats = name === 'replicas-nats' || name === 'monolith-workers';
  let subject = (pattern: string) => pattern;
  const db = new TestDatabase();
  let topology: RunningTopology;
  let client: ClientProxy;
  let sendAs: SendWithMetadata;

  beforeAll(async () => {
    const port = await freePort();
    // Orders is reached over TCP on a known port (over Redis in the Redis topology), wherever it runs.
    const env: Record<string, string> = overRedis
      ? {}
      : overNats
        ? { ORDERS_TRANSPORT: 'nats', NATS_URL: testNatsUrl() }
        : { ORDERS_TRANSPORT: 'tcp', ORDERS_TCP_PORT: String(port) };
    topology = await startTopology(name, { label: 'auth-bus', env });
    const redis = new URL(testRedisUrl());
    if (overNats) {
      const namespace = Object.values(topology.processes)[0].env.BUS_NAMESPACE;
      subject = (pattern) => `${namespace}.${pattern}`;
    }
    client = overRedis
      ? ClientProxyFactory.create({ transport: Transport.REDIS, options: { host: redis.hostname, port: Number(redis.port || 6379) } })
      : overNats
        ? ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: testNatsUrl() } })
        : ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    sendAs = sendWithMetadata(client);
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await topology?.stop();
    await db.close();
  }, 60_000);

  beforeEach(() => db.truncateModuleTables());

  const send = async (pattern: string, data: object, as?: string) => {
    try {
      return { reply: await firstValueFrom(sendAs(subject(pattern), data, as ? { authorization: as } : {})) };
    } catch (err) {
      return { error: err as { code: string; status: number } };
    }
  };

  it("answers ORDERS.NOT_FOUND to A asking for B's order, and AUTH.FORBIDDEN to A listing B's orders", async () => {
    const [ada, bob] = [await createUser(topology.baseUrl), await createUser(topology.baseUrl)];
    const adaOrder = await placeOrder(topology.baseUrl, ada.id);
    const bobOrder = await placeOrder(topology.baseUrl, bob.id);

    // The same client and token do reach A's own order: the refusal below is the core's decision.
    expect((await send('orders.get', { id: adaOrder.id }, authFor(ada))).reply).toEqual(adaOrder);
    expect((await send('orders.get', { id: bobOrder.id }, authFor(ada))).error).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    expect((await send('orders.cancel', { id: bobOrder.id }, authFor(ada))).error).toMatchObject({ code: 'ORDERS.NOT_FOUND', status: 404 });
    expect((await send('orders.list', { userId: bob.id }, authFor(ada))).error).toMatchObject({ code: 'AUTH.FORBIDDEN', status: 403 });
    expect((await db.query('SELECT status FROM orders.orders WHERE id = $1', [bobOrder.id]))[0]).toEqual({ status: 'pending' });
  });

  it('answers AUTH.UNAUTHENTICATED without a credential, with a forged one, and for a user the payload names', async () => {
    const bob = await createUser(topology.baseUrl);
    const bobOrder = await placeOrder(topology.baseUrl, bob.id);
    const forged = new JwtService({ secret: 'not-the-deployment-secret-0123456789abcdef' }).sign(
      { token_use: 'access', role: 'admin', ver: 1 },
      { subject: bob.id, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: 60 },
    );
    const service = new JwtService({ secret: 'not-the-deployment-secret-0123456789abcdef' }).sign(
      { token_use: 'service' },
      { subject: 'auth', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: 60 },
    );
    for (const as of [undefined, `Bearer ${forged}`, `Bearer ${service}`]) {
      expect((await send('orders.get', { id: bobOrder.id }, as)).error).toMatchObject({ code: 'AUTH.UNAUTHENTICATED', status: 401 });
      expect((await send('orders.place', { items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }, as)).error).toMatchObject({
        code: 'AUTH.UNAUTHENTICATED',
        status: 401,
      });
    }
    // An owner in the payload is refused, not believed.
    const ada = await createUser(topology.baseUrl);
    expect(
      (await send('orders.place', { userId: bob.id, items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }, authFor(ada))).error,
    ).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect(await db.query('SELECT user_id FROM orders.orders ORDER BY seq')).toEqual([{ user_id: bob.id }]);
  });
});
