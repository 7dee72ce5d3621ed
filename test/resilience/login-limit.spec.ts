import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import request from 'supertest';
import { register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { expectProblem } from '../support/problem.js';
import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * Password guessing is slowed by the auth core itself, so the rule holds when `auth.login` arrives as a
 * message straight to the core's TCP port, past the gateway's per-client limits, as much as over HTTP.
 */
describe('failed sign-ins are limited per account, over HTTP and over the wire (auth over TCP)', () => {
  const suite = useE2eSuite('login-limit', { topology: 'auth-tcp', env: { AUTH_FAILED_ATTEMPTS: '3' } });
  let client: ClientProxy;

  beforeAll(async () => {
    const { topology } = suite;
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: Number(topology.processes.auth.env.AUTH_TCP_PORT) },
    });
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    await client?.close();
  }, 60_000);

  const wire = (email: string, password: string) =>
    firstValueFrom(client.send('auth.login', { email, password }).pipe(timeout(5000))).then(
      () => ({ code: 'OK' }),
      (err: { code: string; status: number }) => err,
    );

  it(
    'answers COMMON.TOO_MANY_REQUESTS to the fourth wrong password sent as a message, and to HTTP too, even with the right ' + 'one',
    async () => {
      const ada = await register(suite.baseUrl);
      for (let i = 0; i < 3; i++)
        expect(await wire(ada.email, 'not the password at all')).toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS', status: 401 });
      expect(await wire(ada.email, 'not the password at all')).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS', status: 429 });
      expect(await wire(ada.email, TEST_PASSWORD)).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS', status: 429 });

      const http = await request(suite.baseUrl).post('/v1/auth/login').send({ email: ada.email, password: TEST_PASSWORD });
      expectProblem(http, 429, 'COMMON.TOO_MANY_REQUESTS');
      expect(Number(http.headers['retry-after'])).toBeGreaterThan(0);

      // Another account is not affected.
      const bob = await register(suite.baseUrl);
      expect(await wire(bob.email, TEST_PASSWORD)).toEqual({ code: 'OK' });
    },
  );
});
