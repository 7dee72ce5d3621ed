import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import { createServer, type Server, type Socket } from 'node:net';
import { JwtService } from '@nestjs/jwt';
import { ServerTCP } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { freePort } from '../../../test/support/free-port.js';
import { openEventTablesDatabase } from '../../../test/support/unit-helpers.js';
import { ServiceTokens } from '../identity/service-tokens.js';
import { readTokenSettings } from '../identity/token.settings.js';
import { createJwtService, TokenVerifier } from '../identity/token.verifier.js';
import type { BusSettings, EventSettings } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { closeEmbeddedDatabases } from '../database/pglite.pool.js';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { InProcessServer } from '../messaging/in-process.server.js';
import { LOCAL_SERVER } from '../messaging/transports.factory.js';
import type { EventEnvelope } from './event.messages.js';
import { EventRelay } from './event.relay.js';
import { replayParked } from './outbox.js';
import { eventHandlersFor } from './events.handlers.js';
import { Inbox } from './inbox.js';
import { Leadership } from './leadership.js';
import { Outbox } from './outbox.js';

const EVENTS: EventSettings = {
  pollMs: 20,
  longPollMs: 0,
  batchSize: 10,
  retryBackoffMs: 20,
  retryMaxMs: 100,
  maxAttempts: 2,
  settleMs: 0,
  leaderRetryMs: 1000,
  leaderCheckMs: 1000,
};
const BUS: BusSettings = {
  deadlineMs: 150,
  retries: 0,
  retryBackoffMs: 10,
  // The breaker has its own spec; here every attempt must really try the connection.
  breakerErrorThresholdPercent: 50,
  breakerResetMs: 100,
  breakerVolumeThreshold: 100_000,
};
const EVENT = 'alpha.happened';
const jwt = createJwtService(readTokenSettings({ JWT_SECRET: 'relay-spec-secret-0123456789-abcdefghij' }));

/** A consumer core reduced to its events: its inbox, and a handler that records (or refuses) what it is given. */
class Consumer {
  readonly applied: Array<{ aggregateId: string; n: number }> = [];
  readonly inbox: Inbox;
  /** Events whose payload asks it fail, as a handler with a bug would. */
  failing = true;

  constructor(
    readonly ds: DataSource,
    readonly name: string,
  ) {
    this.inbox = new Inbox(ds, name, [EVENT]);
    this.inbox.on<{ n: number; fail?: boolean }>(EVENT, async (event) => {
      if (event.payload.fail && this.failing) throw new Error(`event ${event.payload.n} cannot be applied`);
      this.applied.push({ aggregateId: event.aggregateId, n: event.payload.n });
    });
  }

  /** Serves `<name>.events.deliver` on the given transport, checking service tokens as every core does. */
  async listen(strategy: InProcessServer | ServerTCP): Promise<INestMicroservice> {
    const moduleRef = await Test.createTestingModule({
      controllers: [eventHandlersFor(this.name)],
      providers: [
        TokenVerifier,
        { provide: JwtService, useValue: jwt },
        { provide: Inbox, useValue: this.inbox },
        { provide: Outbox, useValue: new Outbox(this.ds, this.name, {}, EVENTS) },
      ],
    }).compile();
    const server = moduleRef.createNestMicroservice({ strategy, logger: false });
    await server.listen();
    return server;
  }
}

describe('EventRelay', () => {
  let producerDs: DataSource;
  let outbox: Outbox;
  let beta: Consumer;
  let gamma: Consumer;
  let gammaPort: number;
  let channels: ChannelRegistry;
  let relay: EventRelay | undefined;
  const servers: INestMicroservice[] = [];

  beforeAll(async () => {
    producerDs = await openEventTablesDatabase('alpha');
    beta = new Consumer(await openEventTablesDatabase('beta'), 'beta');
    gamma = new Consumer(await openEventTablesDatabase('gamma'), 'gamma');
    gammaPort = await freePort();
    // beta is hosted in this process (the in-process bus); gamma listens on TCP, and is down until a test starts it.
    const topology: Topology = {
      namespace: '',
      hosted: ['alpha', 'beta'],
      api: false,
      calls: [],
      modules: {
        beta: {
          name: 'beta',
          transport: 'local',
          tcp: { host: '127.0.0.1', port: 1 },
          redisUrl: 'redis://127.0.0.1:6379',
          natsUrl: 'nats://127.0.0.1:4222',
        },
        gamma: {
          name: 'gamma',
          transport: 'tcp',
          tcp: { host: '127.0.0.1', port: gammaPort },
          redisUrl: 'redis://127.0.0.1:6379',
          natsUrl: 'nats://127.0.0.1:4222',
        },
      },
      subscribers: { [EVENT]: ['beta', 'gamma'] },
      pushTargets: { alpha: ['beta', 'gamma'] },
      pullSources: {},
    };
    channels = new ChannelRegistry(topology, BUS);
    servers.push(await beta.listen(new InProcessServer(LOCAL_SERVER)));
    outbox = new Outbox(producerDs, 'alpha', topology.subscribers, EVENTS);
  });

  afterAll(async () => {
    await relay?.stop();
    for (const server of servers) await server.close();
    await channels.onApplicationShutdown();
    await closeEmbeddedDatabases();
  });

  function startRelay(targets: string[], settings: EventSettings = EVENTS): void {
    relay = new EventRelay(outbox, targets, channels, new ServiceTokens(jwt), settings, new Leadership(undefined, 'events:relay:alpha'));
    relay.start();
  }

  const publish = (aggregateId: string, payload: { n: number; fail?: boolean }) =>
    outbox.transaction((m) => outbox.publish(m, EVENT, aggregateId, payload));
  const row = async (consumer: string, eventId: string) =>
    (
      await producerDs.query(
        `SELECT attempts, delivered_at IS NOT NULL AS delivered, parked_at IS NOT NULL AS parked, last_error
       FROM "alpha"."outbox" WHERE consumer = $1 AND event_id = $2`,
        [consumer, eventId],
      )
    )[0] as { attempts: number; delivered: boolean; parked: boolean; last_error: string | null };
  async function until(what: string, condition: () => Promise<boolean> | boolean, withinMs = 5000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  it('delivers over the in-process bus, in order per aggregate, and records the acknowledgements', async () => {
    startRelay(['beta']);
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await publish(n % 2 ? 'agg-odd' : 'agg-even', { n }));
    await until('beta acknowledged all five', async () => (await Promise.all(ids.map((id) => row('beta', id)))).every((r) => r.delivered));
    expect(beta.applied.filter((a) => a.aggregateId === 'agg-odd').map((a) => a.n)).toEqual([1, 3, 5]);
    expect(beta.applied.filter((a) => a.aggregateId === 'agg-even').map((a) => a.n)).toEqual([2, 4]);
    expect(await row('beta', ids[0])).toEqual({ attempts: 0, delivered: true, parked: false, last_error: null });
    // The consumer recorded each event once in its inbox.
    const inbox: Array<{ event_id: string }> = await beta.ds.query('SELECT event_id FROM "beta"."inbox"');
    expect(inbox.map((r) => r.event_id).sort()).toEqual([...ids].sort());
  });

  it('delivers an event written during a round in the next round, without waiting for the poll', async () => {
    // A poll far longer than the test may take: only the new event's notification can start the next round.
    startRelay(['beta'], { ...EVENTS, pollMs: 60_000 });
    let second: string | undefined;
    const record = outbox.record.bind(outbox);
    // Another request publishes while the round that delivers the first event is still recording it.
    const recording = jest.spyOn(outbox, 'record').mockImplementationOnce(async (consumer, results) => {
      second = await publish('agg-during', { n: 102 });
      await record(consumer, results);
    });
    try {
      const first = await publish('agg-during', { n: 101 });
      await until('beta acknowledged the first event', async () => (await row('beta', first)).delivered);
      await until(
        'beta acknowledged the event written during that round',
        async () => second !== undefined && (await row('beta', second)).delivered,
      );
    } finally {
      recording.mockRestore();
    }
    expect(beta.applied.filter((a) => a.aggregateId === 'agg-during').map((a) => a.n)).toEqual([101, 102]);
  });

  it('counts a handler failure, parks it at maxAttempts, and holds its aggregate until a replay puts it first', async () => {
    beta.applied.length = 0;
    startRelay(['beta']);
    const broken = await publish('agg-broken', { n: 1, fail: true });
    const behind = await publish('agg-broken', { n: 2 });
    const other = await publish('agg-other', { n: 3 });
    await until('the failing event is parked', async () => (await row('beta', broken)).parked);
    // The consumer keeps its handler's error to itself (its own log has it); the producer records what crossed the bus.
    expect(await row('beta', broken)).toEqual({
      attempts: EVENTS.maxAttempts,
      delivered: false,
      parked: true,
      last_error: 'COMMON.INTERNAL: Internal server error',
    });
    await until('the other aggregate is delivered', async () => (await row('beta', other)).delivered);
    // The later event of the broken aggregate waits behind the parked one: applied now, it would be overtaken by it on replay.
    await sleep(10 * EVENTS.pollMs);
    expect(await row('beta', behind)).toMatchObject({ delivered: false, attempts: 0, parked: false });
    expect(beta.applied).toEqual([{ aggregateId: 'agg-other', n: 3 }]);

    // The cause is fixed and the parked event replayed: it is applied first, then the one behind it.
    beta.failing = false;
    try {
      expect(await replayParked(producerDs, 'alpha', broken)).toBe(1);
      outbox.signal.notify();
      await until('the aggregate is delivered', async () => (await row('beta', behind)).delivered);
      expect(beta.applied).toEqual([
        { aggregateId: 'agg-other', n: 3 },
        { aggregateId: 'agg-broken', n: 1 },
        { aggregateId: 'agg-broken', n: 2 },
      ]);
    } finally {
      beta.failing = true;
    }
  });

  it('retries a consumer that does not answer without counting attempts or parking, and delivers once it does', async () => {
    // gamma's port accepts connections but never answers, like a hung process: every delivery times out.
    const sockets = new Set<Socket>();
    const hung: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(gammaPort, '127.0.0.1', resolve));
    startRelay(['beta', 'gamma']);
    const id = await publish('agg-late', { n: 7 });
    await until('beta acknowledged', async () => (await row('beta', id)).delivered);
    // Enough time for several timed-out deliveries, more than maxAttempts would allow for a failing handler.
    await until('gamma was tried several times', () => sockets.size > 0);
    await sleep(4 * (BUS.deadlineMs + EVENTS.retryMaxMs));
    expect(await row('gamma', id)).toEqual({ attempts: 0, delivered: false, parked: false, last_error: null });
    expect(gamma.applied).toEqual([]);

    // Events published while gamma could not be reached (also by the earlier tests) wait for it, in order.
    gamma.failing = false;
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => hung.close(resolve));
    servers.push(await gamma.listen(new ServerTCP({ host: '127.0.0.1', port: gammaPort })));
    await until('gamma acknowledged', async () => (await row('gamma', id)).delivered);
    expect(gamma.applied.filter((a) => a.aggregateId === 'agg-late')).toEqual([{ aggregateId: 'agg-late', n: 7 }]);
    expect(await row('gamma', id)).toEqual({ attempts: 0, delivered: true, parked: false, last_error: null });
    expect(gamma.applied.filter((a) => a.aggregateId === 'agg-odd').map((a) => a.n)).toEqual([1, 3, 5]);
    expect(gamma.applied.filter((a) => a.aggregateId === 'agg-broken').map((a) => a.n)).toEqual([1, 2]);
  });

  it("is refused by a consumer without the producer's service token", async () => {
    // The handlers check who delivers: a relay acting as another module cannot inject events.
    const event: EventEnvelope = {
      id: '2f5d0c4e-8a7b-4c3d-9e1f-0a1b2c3d4e5f',
      name: EVENT,
      producer: 'alpha',
      aggregateId: 'agg-forged',
      occurredAt: new Date().toISOString(),
      payload: { n: 99 },
    };
    const send = () => channels.channel('beta').send('beta.events.deliver', { event });
    await expect(new ServiceTokens(jwt).run('gamma', send)).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
      status: 403,
      message: 'Only the alpha module may do this',
    });
    await expect(send()).rejects.toMatchObject({ code: 'AUTH.UNAUTHENTICATED', status: 401 });
    expect(beta.applied.map((a) => a.n)).not.toContain(99);
    await expect(new ServiceTokens(jwt).run('alpha', send)).resolves.toEqual({ outcome: 'applied' });
    expect(beta.applied.map((a) => a.n)).toContain(99);
  });
});
