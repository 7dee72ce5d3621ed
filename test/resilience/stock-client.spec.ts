import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { readFileSync } from 'node:fs';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { RunningTopology, startTopology, testRedisUrl } from '../support/topology.js';

/**
 * An extracted users module speaks NestJS's own TCP and Redis protocols: a stock ClientProxy, built
 * here with nothing from the project, calls it with the documented pattern names and gets the
 * documented replies and error shape. The correlation id it sends in packet metadata shows up in the
 * users process's log, as one sent over HTTP shows up in the logs of both processes.
 */
const transports = {
  'users-tcp': (t: RunningTopology) =>
    ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: Number(t.processes.users.env.USERS_TCP_PORT) } }),
  redis: () => {
    const url = new URL(testRedisUrl());
    return ClientProxyFactory.create({ transport: Transport.REDIS, options: { host: url.hostname, port: Number(url.port || 6379) } });
  },
} as const;

const call = <T>(client: ClientProxy, pattern: string, payload: object) =>
  firstValueFrom(client.send<T>(pattern, payload).pipe(timeout(3000)));

/** Log lines are written as a request finishes, so give the file a moment to catch up. */
async function logContains(file: string, text: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (readFileSync(file, 'utf8').includes(text)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
};

describe.each(Object.keys(transports) as Array<keyof typeof transports>)('a stock NestJS ClientProxy against the extracted users module (%s)', (name) => {
  let topology: RunningTopology;
  let client: ClientProxy;

  beforeAll(async () => {
    topology = await startTopology(name, { label: 'stock-client' });
    client = transports[name](topology);
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await topology?.stop();
  }, 60_000);

  it('creates and reads a user with the documented patterns', async () => {
    const created = await call<Record<string, unknown>>(client, 'users.create', { name: 'Grace Hopper', email: ` Grace@Example.COM ` });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Grace Hopper', email: 'grace@example.com',
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    await expect(call(client, 'users.get', { id: created.id })).resolves.toEqual(created);
    const page = await call<{ items: unknown[]; nextCursor: unknown }>(client, 'users.list', { limit: 10 });
    expect(page.items).toContainEqual(created);
  });

  it('answers errors as { code, status, message, details? }', async () => {
    expect(await failure(call(client, 'users.get', { id: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' }))).toEqual({
      code: 'USERS.NOT_FOUND', status: 404, message: 'No user has this id',
    });
    expect(await failure(call(client, 'users.get', { id: 'not-a-uuid', extra: true }))).toEqual({
      code: 'COMMON.VALIDATION_FAILED', status: 400, message: 'The request is not valid',
      details: expect.arrayContaining([
        { field: 'id', messages: expect.any(Array) },
        { field: 'extra', messages: ['property extra should not exist'] },
      ]),
    });
    await call(client, 'users.create', { name: 'Taken', email: 'taken@example.com' });
    expect(await failure(call(client, 'users.create', { name: 'Again', email: 'TAKEN@example.com' }))).toEqual({
      code: 'USERS.EMAIL_TAKEN', status: 409, message: 'A user with this email already exists',
    });
  });

  it('survives an unknown pattern and keeps serving', async () => {
    const err = await failure(call(client, 'users.does-not-exist', { id: 1 }));
    if (name === 'users-tcp') {
      // The TCP server answers at once.
      expect(err).toBe('There is no matching message handler defined in the remote service.');
    } else {
      // Redis pub/sub: no process subscribes to a pattern nobody handles, so a stock client hears nothing
      // until its own timeout (the project's client detects the missing subscriber and fails at once).
      expect((err as Error).name).toBe('TimeoutError');
    }
    expect(topology.processes.users.running).toBe(true);
    await expect(call(client, 'users.ping', {})).resolves.toEqual({ module: 'users' });
  });

  it('carries the correlation id from packet metadata into the users process log', async () => {
    const correlationId = `stock-${name}-${Date.now()}`;
    client.setOnDispatchHook((packet) => {
      packet.metadata = { 'correlation-id': correlationId };
    });
    await call(client, 'users.list', {});
    client.setOnDispatchHook(() => undefined);
    expect(await logContains(topology.processes.users.logFile, `"correlationId":"${correlationId}"`)).toBe(true);
  });

  it('logs one request with the same correlation id in the gateway and the users process', async () => {
    const correlationId = `http-${name}-${Date.now()}`;
    const res = await request(topology.baseUrl).get('/v1/users').set('x-correlation-id', correlationId);
    expect(res.status).toBe(200);
    expect(res.headers['x-correlation-id']).toBe(correlationId);
    for (const process of [topology.processes.gateway, topology.processes.users]) {
      expect(await logContains(process.logFile, `"correlationId":"${correlationId}"`)).toBe(true);
    }
  });
});
