import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt, Min } from 'class-validator';
import type { BusSettings } from '../config/settings.js';
import { busConfig } from '../config/settings.js';
import { readTopology, type Topology } from '../config/topology.js';
import { RequestContextStore } from '../context/request-context.js';
import { defineErrors, DomainError } from '../errors/domain-error.js';
import { observeServer } from '../observability/observe.hooks.js';
import { BusChannel } from './bus-channel.js';
import { TOPOLOGY } from '../config/topology.module.js';
import { ChannelRegistry } from './channel.registry.js';
import { InProcessClient } from './in-process.client.js';
import type { InProcessContext } from './in-process.context.js';
import { InProcessServer } from './in-process.server.js';
import { MessageHandlers } from './message-handlers.decorator.js';
import { LOCAL_SERVER } from './transports.factory.js';
import { rejection } from '../../../test/support/unit-helpers.js';

const ProbeErrors = defineErrors({ CONFLICT: { code: 'PROBE.CONFLICT', status: 409 } });

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}

  get sum(): number {
    return this.x + this.y;
  }
}

class CountRequest {
  @IsInt()
  @Min(1)
  count: number;
}

const AT = new Date('2026-01-02T03:04:05.678Z');
const received: unknown[] = [];

@MessageHandlers()
class ProbeHandlers {
  @MessagePattern('probe.echo')
  echo() {
    return { at: AT, missing: undefined, point: new Point(1, 2), map: new Map([['a', 1]]), nan: NaN, nested: [[1, [2, undefined]]] };
  }

  @MessagePattern('probe.payload')
  payload(@Payload() payload: Record<string, unknown>) {
    return { payload, atIsDate: payload.at instanceof Date };
  }

  @MessagePattern('probe.count')
  count(@Payload() request: CountRequest) {
    return { count: request.count };
  }

  @MessagePattern('probe.conflict')
  conflict() {
    throw new DomainError(ProbeErrors.CONFLICT, 'Already there', { existing: 'p1' });
  }

  @MessagePattern('probe.crash')
  crash() {
    throw new Error('relation "users"."secret" does not exist');
  }

  @MessagePattern('probe.context')
  context(@Ctx() ctx: InProcessContext) {
    return { metadata: ctx.getMetadata(), pattern: ctx.getPattern(), current: RequestContextStore.current() };
  }

  @MessagePattern('probe.void')
  async nothing(): Promise<void> {}

  @MessagePattern('probe.slow')
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'late';
  }

  @EventPattern('probe.happened')
  happened(@Payload() payload: unknown) {
    received.push(payload);
  }
}

const SETTINGS: BusSettings = {
  deadlineMs: 150,
  retries: 2,
  retryBackoffMs: 10,
  breakerErrorThresholdPercent: 50,
  breakerResetMs: 1000,
  breakerVolumeThreshold: 5,
};

/** One module, hosted here and reached in-process, as the topology reads it. */
const TOPOLOGY_VALUE: Topology = readTopology({ MODULES: 'probe', API: 'false' }, [
  { name: 'probe', defaultTcpPort: 1, calls: [], subscribes: [] },
]);

describe('in-process transport', () => {
  let server: INestMicroservice;
  let channel: BusChannel;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeHandlers],
      providers: [ChannelRegistry, { provide: TOPOLOGY, useValue: TOPOLOGY_VALUE }, { provide: busConfig.KEY, useValue: SETTINGS }],
    }).compile();
    const strategy = new InProcessServer(LOCAL_SERVER);
    observeServer(strategy);
    server = moduleRef.createNestMicroservice({ strategy, logger: false });
    await server.listen();
    channel = server.get(ChannelRegistry).channel('probe');
  });

  afterAll(async () => {
    await server.close();
  });

  it('is an in-process channel: no breaker, no network', () => {
    expect(channel.remote).toBe(false);
    expect(channel.proxy).toBeInstanceOf(InProcessClient);
  });

  it('changes a reply exactly as JSON does: Date to ISO text, undefined dropped, class and Map to plain objects, NaN to null', async () => {
    const reply = await channel.send<Record<string, unknown>>('probe.echo', {});
    expect(reply).toStrictEqual({ at: '2026-01-02T03:04:05.678Z', point: { x: 1, y: 2 }, map: {}, nan: null, nested: [[1, [2, null]]] });
    expect(reply).toStrictEqual(JSON.parse(JSON.stringify(new ProbeHandlers().echo())));
    expect('missing' in reply).toBe(false);
    expect(Object.getPrototypeOf(reply.point)).toBe(Object.prototype);
  });

  it('changes a payload the same way on its way to the handler', async () => {
    const reply = await channel.send('probe.payload', { at: AT, point: new Point(3, 4), missing: undefined });
    expect(reply).toStrictEqual({ payload: { at: '2026-01-02T03:04:05.678Z', point: { x: 3, y: 4 } }, atIsDate: false });
  });

  it('answers a handler that returns nothing with undefined, not as a failure', async () => {
    await expect(channel.send('probe.void', {})).resolves.toBeUndefined();
  });

  it('validates payloads with the same pipe as HTTP bodies', async () => {
    await expect(channel.send('probe.count', { count: 2 })).resolves.toEqual({ count: 2 });
    const err = await rejection(channel.send('probe.count', { count: 0, extra: true }));
    expect(err.toBody()).toEqual({
      code: 'COMMON.VALIDATION_FAILED',
      status: 400,
      message: 'The request is not valid',
      details: [
        { field: 'extra', messages: ['property extra should not exist'] },
        { field: 'count', messages: ['count must not be less than 1'] },
      ],
    });
  });

  it('delivers a domain error as { code, status, message, details }', async () => {
    const err = await rejection(channel.send('probe.conflict', {}));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({ code: 'PROBE.CONFLICT', status: 409, message: 'Already there', details: { existing: 'p1' } });
  });

  it('delivers an unexpected failure as COMMON.INTERNAL without its message', async () => {
    const err = await rejection(channel.send('probe.crash', {}));
    expect(err.toBody()).toEqual({ code: 'COMMON.INTERNAL', status: 500, message: 'Internal server error' });
  });

  it('answers a pattern nobody handles with BUS.UNKNOWN_PATTERN (502)', async () => {
    const err = await rejection(channel.send('probe.nope', {}));
    expect(err).toMatchObject({ code: 'BUS.UNKNOWN_PATTERN', status: 502 });
  });

  it('carries the caller’s request context to the handler in packet metadata', async () => {
    const reply = await RequestContextStore.run({ correlationId: 'corr-42', authorization: 'Bearer t' }, () =>
      channel.send('probe.context', {}),
    );
    expect(reply).toEqual({
      pattern: 'probe.context',
      metadata: { 'correlation-id': 'corr-42', authorization: 'Bearer t' },
      current: { correlationId: 'corr-42', authorization: 'Bearer t' },
    });
  });

  it('sends no metadata values outside a request context', async () => {
    const reply = await channel.send<{ metadata: unknown }>('probe.context', {});
    expect(reply.metadata).toEqual({});
  });

  it('applies the deadline: BUS.TIMEOUT (504)', async () => {
    const err = await rejection(channel.send('probe.slow', {}));
    expect(err).toMatchObject({ code: 'BUS.TIMEOUT', status: 504 });
  });

  it('delivers an emitted event after the emit has been awaited', async () => {
    received.length = 0;
    await channel.emit('probe.happened', { id: 'e1', at: AT });
    for (let i = 0; i < 400 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([{ id: 'e1', at: '2026-01-02T03:04:05.678Z' }]);
  });

  it('fails as unavailable when no server of that name is listening', async () => {
    const ghost = new BusChannel('ghost', new InProcessClient('ghost'), SETTINGS, 'local');
    expect(await rejection(ghost.send('ghost.get', {}))).toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503 });
    expect(await rejection(ghost.emit('ghost.happened', {}))).toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503 });
    await ghost.close();
  });
});
