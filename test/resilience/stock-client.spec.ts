import { JwtService } from '@nestjs/jwt';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { admin, bearer, register, type Session } from '../support/auth-fixtures.js';
import { sendWithMetadata, type SendWithMetadata } from '../support/call-metadata.js';
import { RunningTopology, startTopology, testRedisUrl } from '../support/topology.js';

/**
 * An extracted users module speaks NestJS's own TCP and Redis protocols: a stock ClientProxy, built
 * here with nothing from the project, calls it with the documented pattern names and gets the
 * documented replies and error shape. Like any caller it puts an access token in the packet's
 * `authorization` metadata; the users core checks it by itself, asking no other module. Events reach
 * it the same way, over `users.events.deliver`, from the module that produced them and no one else.
 * The correlation id it sends in packet metadata shows up in the users process's log, as one sent over
 * HTTP shows up in the logs of the gateway and the users process.
 */
const transports = {
  'users-tcp': (t: RunningTopology) =>
    ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: Number(t.processes.users.env.USERS_TCP_PORT) },
    }),
  'users-redis': () => {
    const url = new URL(testRedisUrl());
    return ClientProxyFactory.create({ transport: Transport.REDIS, options: { host: url.hostname, port: Number(url.port || 6379) } });
  },
} as const;

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

const unauthenticated = { code: 'AUTH.UNAUTHENTICATED', status: 401, message: 'A valid bearer access token is required' };

describe.each(Object.keys(transports) as Array<keyof typeof transports>)(
  'a stock NestJS ClientProxy against the extracted users module (%s)',
  (name) => {
    let topology: RunningTopology;
    let client: ClientProxy;
    let root: Session;
    let send: SendWithMetadata;

    /** One call with `authorization` (and any other metadata) in the packet, as a caller on the network would send it. */
    const call = <T>(pattern: string, payload: object, authorization?: string, extra: Record<string, string> = {}) =>
      firstValueFrom(send<T>(pattern, payload, { ...(authorization ? { authorization } : {}), ...extra }).pipe(timeout(3000)));

    beforeAll(async () => {
      topology = await startTopology(name, { label: 'stock-client' });
      client = transports[name](topology);
      send = sendWithMetadata(client);
      await client.connect();
      root = await admin(topology.baseUrl);
    }, 180_000);

    afterAll(async () => {
      await client?.close();
      await topology?.stop();
    }, 60_000);

    it("reads and renames the caller's own profile, and lists users as an admin, with the documented patterns", async () => {
      const ada = await register(topology.baseUrl, { name: 'Grace Hopper' });
      const me = await request(topology.baseUrl).get('/v1/users/me').set('authorization', bearer(ada.accessToken));
      expect(me.status).toBe(200);

      const read = await call<Record<string, unknown>>('users.get', { id: ada.userId }, bearer(ada.accessToken));
      expect(read).toEqual({
        id: ada.userId,
        name: 'Grace Hopper',
        email: ada.email,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(read).toEqual(me.body);

      const renamed = await call<Record<string, unknown>>(
        'users.update',
        { id: ada.userId, name: '  Rear Admiral Hopper ' },
        bearer(ada.accessToken),
      );
      expect(renamed).toEqual({ ...read, name: 'Rear Admiral Hopper', updatedAt: expect.any(String) });
      await expect(call('users.get', { id: ada.userId }, bearer(ada.accessToken))).resolves.toEqual(renamed);

      const page = await call<{ items: unknown[]; nextCursor: unknown }>('users.list', { limit: 100 }, bearer(root.accessToken));
      expect(page.items).toContainEqual(renamed);
    });

    it('answers errors as { code, status, message, details? }', async () => {
      const ada = await register(topology.baseUrl);
      expect(await failure(call('users.get', { id: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' }, bearer(root.accessToken)))).toEqual({
        code: 'USERS.NOT_FOUND',
        status: 404,
        message: 'No user has this id',
      });
      // Another user's profile answers exactly like a missing one.
      expect(await failure(call('users.get', { id: root.userId }, bearer(ada.accessToken)))).toEqual({
        code: 'USERS.NOT_FOUND',
        status: 404,
        message: 'No user has this id',
      });
      expect(await failure(call('users.get', { id: 'not-a-uuid', extra: true }, bearer(ada.accessToken)))).toEqual({
        code: 'COMMON.VALIDATION_FAILED',
        status: 400,
        message: 'The request is not valid',
        details: expect.arrayContaining([
          { field: 'id', messages: expect.any(Array) },
          { field: 'extra', messages: ['property extra should not exist'] },
        ]),
      });
      expect(await failure(call('users.get', { id: ada.userId }))).toEqual(unauthenticated);
      expect(await failure(call('users.list', { limit: 10 }, bearer(ada.accessToken)))).toEqual({
        code: 'AUTH.FORBIDDEN',
        status: 403,
        message: 'Only an administrator may do this',
      });
    });

    it('takes events only from their producer, applies each once, and creates the profile an account registration announces', async () => {
      const ada = await register(topology.baseUrl);
      const env = topology.processes.users.env;
      // Service tokens as a module signs them for its own calls (the deployment's secret, use `service`).
      const serviceToken = (module: string) =>
        new JwtService({ secret: env.JWT_SECRET }).sign(
          { token_use: 'service' },
          { subject: module, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, expiresIn: 60 },
        );
      const userId = randomUUID();
      const event = {
        id: randomUUID(),
        name: 'auth.account-registered',
        producer: 'auth',
        aggregateId: userId,
        occurredAt: new Date().toISOString(),
        payload: { userId, name: 'Katherine Johnson', email: `kj-${userId}@example.com` },
      };
      expect(await failure(call('users.events.deliver', { event }, bearer(ada.accessToken)))).toEqual({
        code: 'AUTH.UNAUTHENTICATED',
        status: 401,
        message: 'The token is not valid here',
      });
      expect(await failure(call('users.events.deliver', { event }, bearer(serviceToken('orders'))))).toEqual({
        code: 'AUTH.FORBIDDEN',
        status: 403,
        message: 'Only the auth module may do this',
      });
      expect(await failure(call('users.events.deliver', { event }))).toEqual(unauthenticated);
      expect(await failure(call('users.get', { id: userId }, bearer(root.accessToken)))).toMatchObject({ code: 'USERS.NOT_FOUND' });

      await expect(call('users.events.deliver', { event }, bearer(serviceToken('auth')))).resolves.toEqual({ outcome: 'applied' });
      await expect(call('users.events.deliver', { event }, bearer(serviceToken('auth')))).resolves.toEqual({ outcome: 'duplicate' });
      await expect(call('users.get', { id: userId }, bearer(root.accessToken))).resolves.toMatchObject({
        id: userId,
        name: 'Katherine Johnson',
      });
    });

    it('survives an unknown pattern and keeps serving', async () => {
      const err = await failure(call('users.does-not-exist', { id: 1 }, bearer(root.accessToken)));
      if (name === 'users-tcp') {
        // The TCP server answers at once.
        expect(err).toBe('There is no matching message handler defined in the remote service.');
      } else {
        // Redis pub/sub: no process subscribes to a pattern nobody handles, so a stock client hears nothing
        // until its own timeout (the project's client detects the missing subscriber and fails at once).
        expect((err as Error).name).toBe('TimeoutError');
      }
      expect(topology.processes.users.running).toBe(true);
      await expect(call('users.ping', {})).resolves.toEqual({ module: 'users' });
      await expect(call('users.get', { id: root.userId }, bearer(root.accessToken))).resolves.toMatchObject({ id: root.userId });
    });

    it('carries the correlation id from packet metadata into the users process log', async () => {
      const correlationId = `stock-${name}-${Date.now()}`;
      const page = await call<{ items: unknown[] }>('users.list', {}, bearer(root.accessToken), { 'correlation-id': correlationId });
      expect(page.items.length).toBeGreaterThan(0);
      expect(await logContains(topology.processes.users.logFile, `"correlationId":"${correlationId}"`)).toBe(true);
    });

    it('logs one request with the same correlation id in the gateway and the users process', async () => {
      const correlationId = `http-${name}-${Date.now()}`;
      const res = await request(topology.baseUrl)
        .get('/v1/users')
        .set('x-correlation-id', correlationId)
        .set('authorization', bearer(root.accessToken));
      expect(res.status).toBe(200);
      expect(res.headers['x-correlation-id']).toBe(correlationId);
      for (const process of [topology.processes.gateway, topology.processes.users]) {
        expect(await logContains(process.logFile, `"correlationId":"${correlationId}"`)).toBe(true);
      }
    });
  },
);
