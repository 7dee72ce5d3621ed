import { readTopology, type ModuleDescriptor, type Topology } from './topology.js';
import { ConfigError } from './settings.readers.js';

/**
 * The application's modules as they declare themselves (src/modules/<m>/<m>.module.ts): orders asks
 * users about buyers; every other link is an event.
 */
const MODULES: readonly ModuleDescriptor[] = [
  { name: 'users', defaultTcpPort: 4001, calls: [], subscribes: ['auth.account-registered', 'auth.credentials-changed'] },
  { name: 'orders', defaultTcpPort: 4002, calls: ['users'], subscribes: ['users.user-deleted', 'auth.credentials-changed'] },
  { name: 'auth', defaultTcpPort: 4003, calls: [], subscribes: ['users.user-deleted'] },
];

const read = (env: Record<string, string | undefined>) => readTopology(env, MODULES);

/** The ConfigError a read throws; fails the test if it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    read(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('readTopology', () => {
  it('hosts every module in-process and serves the API when nothing is set', () => {
    const t = read({});
    expect(t.hosted).toEqual(['users', 'orders', 'auth']);
    expect(t.api).toBe(true);
    expect(t.calls.sort()).toEqual(['auth', 'orders', 'users']);
    expect(t.modules.users).toEqual({
      name: 'users',
      transport: 'local',
      tcp: { host: '127.0.0.1', port: 4001 },
      redisUrl: 'redis://127.0.0.1:6379',
      natsUrl: 'nats://127.0.0.1:4222',
      databaseUrl: undefined,
    });
    expect(t.modules.orders.tcp.port).toBe(4002);
    expect(t.modules.auth.tcp.port).toBe(4003);
  });

  it('reads transports, hosts, ports and URLs, with per-module URLs over the shared ones', () => {
    const t = read({
      MODULES: ' users , users,orders',
      API: 'no',
      USERS_TRANSPORT: 'TCP',
      USERS_TCP_HOST: 'users.internal',
      USERS_TCP_PORT: '5001',
      ORDERS_TRANSPORT: 'redis',
      REDIS_URL: 'redis://shared:6379',
      ORDERS_REDIS_URL: 'rediss://user:pw@orders-redis:6380/2',
      DATABASE_URL: 'postgres://db/app',
      USERS_DATABASE_URL: 'postgresql://users-db/users',
    });
    expect(t.hosted).toEqual(['users', 'orders']);
    expect(t.api).toBe(false);
    expect(t.calls).toEqual(['users']);
    expect(t.modules.users).toMatchObject({ transport: 'tcp', tcp: { host: 'users.internal', port: 5001 } });
    expect(t.modules.users.databaseUrl).toBe('postgresql://users-db/users');
    expect(t.modules.orders).toMatchObject({ transport: 'redis', redisUrl: 'rediss://user:pw@orders-redis:6380/2' });
    expect(t.modules.orders.databaseUrl).toBe('postgres://db/app');
    expect(t.modules.auth.redisUrl).toBe('redis://shared:6379');
  });

  it('lets a process without the API call only what its cores call', () => {
    // AUTH_TRANSPORT only so that these cores can fetch auth's events; neither calls auth.
    const t = read({ MODULES: 'orders', API: 'false', USERS_TRANSPORT: 'tcp', AUTH_TRANSPORT: 'tcp' });
    expect(t.calls).toEqual(['users']);
    expect(read({ MODULES: 'users', API: '0', AUTH_TRANSPORT: 'tcp' }).calls).toEqual([]);
  });

  describe('stops on a contradiction, naming the variable to fix', () => {
    it.each([
      ['a local module that is called but not hosted (by the API)', { MODULES: 'users' }, 'ORDERS_TRANSPORT'],
      ['a local module that is called but not hosted (by a core)', { MODULES: 'orders', API: 'false' }, 'USERS_TRANSPORT'],
      ['an unknown module in MODULES', { MODULES: 'users,billing' }, 'MODULES'],
      ['an unknown transport', { USERS_TRANSPORT: 'grpc' }, 'USERS_TRANSPORT'],
      ['a TCP port that is not a number', { ORDERS_TCP_PORT: 'http' }, 'ORDERS_TCP_PORT'],
      ['a TCP port out of range', { USERS_TCP_PORT: '65536' }, 'USERS_TCP_PORT'],
      ['a TCP port of zero', { USERS_TCP_PORT: '0' }, 'USERS_TCP_PORT'],
      ['a fractional TCP port', { AUTH_TCP_PORT: '4003.5' }, 'AUTH_TCP_PORT'],
      [
        'two hosted TCP modules on one port',
        { USERS_TRANSPORT: 'tcp', ORDERS_TRANSPORT: 'tcp', USERS_TCP_PORT: '4100', ORDERS_TCP_PORT: '4100' },
        'ORDERS_TCP_PORT',
      ],
      ['a Redis URL with another scheme', { REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
      ['a module Redis URL that is not a URL', { USERS_REDIS_URL: 'not a url' }, 'USERS_REDIS_URL'],
      ['a database URL with another scheme', { DATABASE_URL: 'mysql://db/app' }, 'DATABASE_URL'],
      ['a module database URL with another scheme', { ORDERS_DATABASE_URL: 'redis://db' }, 'ORDERS_DATABASE_URL'],
      ['API that is not a boolean', { API: 'maybe' }, 'API'],
      ['API=false with no modules', { API: 'false', MODULES: '' }, 'MODULES'],
      ['API=false with only blanks in MODULES', { API: 'false', MODULES: ' , ' }, 'MODULES'],
    ])('%s', (_case, env, variable) => {
      const err = configError(env);
      expect(err.variable).toBe(variable);
      expect(err.message).toContain(variable);
    });

    it('tells how to fix a local module that is called but not hosted', () => {
      const err = configError({ MODULES: 'orders', API: 'false' });
      expect(err.message).toBe(
        'Invalid configuration: USERS_TRANSPORT is "local", but this process calls the users module without hosting it ' +
          '(MODULES=orders): add users to MODULES or set USERS_TRANSPORT to tcp, redis or nats',
      );
    });

    it('allows two TCP modules on one port when they live in different processes', () => {
      const env = {
        USERS_TRANSPORT: 'tcp',
        ORDERS_TRANSPORT: 'tcp',
        USERS_TCP_PORT: '4100',
        ORDERS_TCP_PORT: '4100',
        AUTH_TRANSPORT: 'tcp',
      };
      expect(read({ ...env, MODULES: 'users' }).modules.users.tcp.port).toBe(4100);
      expect(read({ ...env, MODULES: 'orders' }).modules.orders.tcp.port).toBe(4100);
    });
  });

  describe('event routes', () => {
    /** Every producer-to-consumer route the processes move events on, once per process that moves it. */
    const routes = (topologies: Topology[]) =>
      topologies
        .flatMap((t) => [
          ...Object.entries(t.pushTargets).flatMap(([producer, consumers]) => consumers.map((c) => `push ${producer}->${c}`)),
          ...Object.entries(t.pullSources).flatMap(([consumer, producers]) => producers.map((p) => `pull ${p}->${consumer}`)),
        ])
        .sort();
    /** The module pairs some event links, whichever way it travels. */
    const ALL_PAIRS = ['auth->orders', 'auth->users', 'users->auth', 'users->orders'];
    const pairs = (list: string[]) => list.map((r) => r.split(' ')[1]).sort();

    it('lists every consumed event with its consumers, wherever they run', () => {
      const expected = {
        'auth.account-registered': ['users'],
        'auth.credentials-changed': ['users', 'orders'],
        'users.user-deleted': ['orders', 'auth'],
      };
      expect(read({}).subscribers).toEqual(expected);
      expect(read({ MODULES: 'users', API: 'false', USERS_TRANSPORT: 'tcp' }).subscribers).toEqual(expected);
    });

    it('pushes every event to its consumers in the monolith and fetches nothing', () => {
      const t = read({});
      expect(t.pushTargets).toEqual({ users: ['orders', 'auth'], auth: ['users', 'orders'] });
      expect(t.pullSources).toEqual({});
    });

    it('pushes to a consumer that is not hosted but listens on a transport', () => {
      const t = read({ MODULES: 'users,auth', ORDERS_TRANSPORT: 'redis' });
      expect(t.pushTargets).toEqual({ users: ['orders', 'auth'], auth: ['users', 'orders'] });
      expect(t.pullSources).toEqual({});
      // The consumer's own process moves nothing of it: its producers deliver to it.
      const orders = read({ MODULES: 'orders', API: 'false', ORDERS_TRANSPORT: 'redis', USERS_TRANSPORT: 'tcp', AUTH_TRANSPORT: 'tcp' });
      expect(orders.pushTargets).toEqual({});
      expect(orders.pullSources).toEqual({});
    });

    it('has a consumer reachable only in-process fetch from a producer elsewhere', () => {
      const t = read({ MODULES: 'orders', API: 'false', USERS_TRANSPORT: 'tcp', AUTH_TRANSPORT: 'redis' });
      expect(t.pullSources).toEqual({ orders: ['users', 'auth'] });
      expect(t.pushTargets).toEqual({});
    });

    it("stops when an in-process-only consumer's producer is local and not hosted, naming <PRODUCER>_TRANSPORT", () => {
      const err = configError({ MODULES: 'auth', API: 'false' });
      expect(err.variable).toBe('USERS_TRANSPORT');
      expect(err.message).toBe(
        'Invalid configuration: USERS_TRANSPORT is "local", but this process hosts auth, which consumes users events and is ' +
          'reached only in-process (MODULES=auth): add users to MODULES, or set USERS_TRANSPORT or AUTH_TRANSPORT to tcp, redis or nats',
      );
      // Orders calls users over TCP, but still needs auth's events from somewhere.
      expect(configError({ MODULES: 'orders', API: 'false', USERS_TRANSPORT: 'tcp' }).variable).toBe('AUTH_TRANSPORT');
      // Either fix the message names works: the consumer listening lets the producer push to it.
      expect(read({ MODULES: 'auth', API: 'false', AUTH_TRANSPORT: 'tcp' }).pullSources).toEqual({});
    });

    describe.each([
      ['users', { USERS_TRANSPORT: 'tcp' }, 'orders,auth'],
      ['users', { USERS_TRANSPORT: 'redis' }, 'orders,auth'],
      ['auth', { AUTH_TRANSPORT: 'tcp' }, 'users,orders'],
      ['auth', { AUTH_TRANSPORT: 'redis' }, 'users,orders'],
    ])('extracting only %s (%j, nothing else set)', (module, env, rest) => {
      const extracted = () => read({ ...env, MODULES: module, API: 'false' });
      const gateway = () => read({ ...env, MODULES: rest });

      it('is valid in the extracted process and in the gateway', () => {
        expect(extracted().hosted).toEqual([module]);
        expect(extracted().calls).toEqual([]);
        expect(gateway().hosted).toEqual(rest.split(','));
      });

      it('moves each linked pair of modules exactly once across the two processes', () => {
        const all = routes([extracted(), gateway()]);
        expect(pairs(all)).toEqual(ALL_PAIRS);
        // The gateway's local modules fetch from the extracted one and are pushed to by it through its listener.
        expect(all.filter((r) => r.startsWith('pull'))).toEqual(
          ALL_PAIRS.filter((p) => p.startsWith(`${module}->`)).map((p) => `pull ${p}`),
        );
      });
    });

    it('extracting orders alone needs USERS_TRANSPORT too, because orders calls users', () => {
      const env = { ORDERS_TRANSPORT: 'tcp' };
      expect(read({ ...env, MODULES: 'users,auth' }).pushTargets).toEqual({ users: ['orders', 'auth'], auth: ['users', 'orders'] });
      expect(configError({ ...env, MODULES: 'orders', API: 'false' }).variable).toBe('USERS_TRANSPORT');
      const withUsers = { ...env, USERS_TRANSPORT: 'tcp' };
      const processes = [read({ ...withUsers, MODULES: 'orders', API: 'false' }), read({ ...withUsers, MODULES: 'users,auth' })];
      expect(processes[0].calls).toEqual(['users']);
      expect(pairs(routes(processes))).toEqual(ALL_PAIRS);
    });

    it('moves each linked pair exactly once when every module runs on its own', () => {
      const env = { USERS_TRANSPORT: 'tcp', ORDERS_TRANSPORT: 'redis', AUTH_TRANSPORT: 'tcp' };
      const processes = ['users', 'orders', 'auth'].map((m) => read({ ...env, MODULES: m, API: 'false' }));
      expect(routes(processes)).toEqual(ALL_PAIRS.map((p) => `push ${p}`));
    });
  });

  describe('one environment shared by every process of a deployment', () => {
    const shared = {
      USERS_TRANSPORT: 'tcp',
      USERS_TCP_HOST: 'users',
      ORDERS_TRANSPORT: 'redis',
      AUTH_TRANSPORT: 'tcp',
      AUTH_TCP_HOST: 'auth',
      REDIS_URL: 'redis://bus:6379',
      DATABASE_URL: 'postgres://db/app',
    };
    const processes = ['users', 'orders', 'auth', '', 'users,auth'];
    const topologies: Topology[] = processes.map((modules) => read({ ...shared, MODULES: modules }));

    it('gives every process the same address for every module', () => {
      for (const t of topologies) expect(t.modules).toEqual(topologies[0].modules);
    });

    it('has each module hosted where MODULES says and reached by everyone else at that address', () => {
      expect(topologies.map((t) => t.hosted)).toEqual([['users'], ['orders'], ['auth'], [], ['users', 'auth']]);
      for (const t of topologies) {
        for (const name of t.calls) {
          if (!t.hosted.includes(name)) expect(t.modules[name].transport).not.toBe('local');
        }
      }
    });

    it('stops only the process that would call a local module it does not host', () => {
      const env = { ...shared, ORDERS_TRANSPORT: 'local' };
      expect(read({ ...env, MODULES: 'users,orders,auth' }).hosted).toEqual(['users', 'orders', 'auth']);
      expect(read({ ...env, MODULES: 'orders', API: 'false' }).calls).toEqual(['users']);
      expect(configError({ ...env, MODULES: 'users' }).variable).toBe('ORDERS_TRANSPORT');
    });
  });
});
