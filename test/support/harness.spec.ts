import { createServer, type Server } from 'node:net';
import { freePort, freePorts } from './free-port.js';
import { planTopology, TOPOLOGY_NAMES } from './topologies.js';
import { testDatabaseName } from './test-database.js';

describe('end-to-end harness', () => {
  describe('testDatabaseName', () => {
    it.each([['postgres://postgres@127.0.0.1:5432/mm_e2e_test'], ['postgres://u:p@db:5432/TEST_orders']])('accepts %s', (url) => {
      expect(testDatabaseName(url)).toBe(new URL(url).pathname.slice(1));
    });

    it.each([
      ['postgres://postgres@127.0.0.1:5432/mm'],
      ['postgres://postgres@127.0.0.1:5432/postgres'],
      ['postgres://postgres@127.0.0.1:5432/'],
    ])('refuses %s, whose name does not say it is for tests', (url) => {
      expect(() => testDatabaseName(url)).toThrow(/must contain "test"/);
    });

    it('does not print a password it refuses', () => {
      expect(() => testDatabaseName('postgres://u:secret@127.0.0.1/prod')).toThrow(/u:\*\*\*@/);
    });
  });

  describe.each(TOPOLOGY_NAMES.map((name) => [name]))('topology %s', (name) => {
    const plan = planTopology(name, {
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/x_test',
      redisUrl: 'redis://127.0.0.1:6379',
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'e2e-spec',
      tcpPorts: { users: 1001, orders: 1002, auth: 1003 },
    });
    const replicated = name === 'replicas-nats';

    it('has a process serving the API (two taking turns with replicas), and unique process names', () => {
      expect(plan.processes.filter((p) => p.api)).toHaveLength(replicated ? 2 : 1);
      expect(new Set(plan.processes.map((p) => p.name)).size).toBe(plan.processes.length);
    });

    it('hosts every module core, more than once only on NATS', () => {
      const hosted = plan.processes.flatMap((p) => p.modules.split(',').filter(Boolean)).sort();
      if (!replicated) expect(hosted).toEqual(['auth', 'orders', 'users']);
      else {
        expect(hosted).toEqual(['auth', 'auth', 'orders', 'orders', 'users', 'users', 'users']);
        expect(['USERS', 'ORDERS', 'AUTH'].map((m) => plan.shared[`${m}_TRANSPORT`])).toEqual(['nats', 'nats', 'nats']);
      }
    });

    it('keeps per-process settings out of the shared environment', () => {
      expect(Object.keys(plan.shared)).toEqual(expect.not.arrayContaining(['MODULES', 'API', 'PORT']));
      expect(plan.shared.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/x_test');
    });
  });

  it('refuses an unknown topology', () => {
    expect(() =>
      planTopology('mesh', { databaseUrl: '', redisUrl: '', natsUrl: '', namespace: '', tcpPorts: { users: 1, orders: 2, auth: 3 } }),
    ).toThrow(/Unknown topology "mesh"/);
  });

  describe('free ports', () => {
    const [first, last] = (process.env.TEST_PORT_RANGE?.trim() || '20000-24999').split('-').map(Number);

    it('never hands out a port twice, across calls, and stays below the ephemeral range', async () => {
      const ports = (await Promise.all(Array.from({ length: 20 }, () => freePorts(4)))).flat();
      expect(new Set(ports).size).toBe(80);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(first);
        expect(port).toBeLessThanOrEqual(last);
      }
    });

    it('skips a port something else is listening on', async () => {
      const before = await freePort();
      const held = before + 1 > last ? first : before + 1;
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(held, '127.0.0.1', resolve));
      try {
        const next = await freePort();
        expect(next).not.toBe(held);
        expect(next).not.toBe(before);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });
  });
});
