import { ConfigError, readTopology, type ModuleDescriptor, type Topology } from './topology.js';

const MODULES: readonly ModuleDescriptor[] = [
  { name: 'users', defaultTcpPort: 4001, calls: [] },
  { name: 'orders', defaultTcpPort: 4002, calls: ['users'] },
  { name: 'auth', defaultTcpPort: 4003, calls: ['users'] },
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
    const t = read({ MODULES: 'orders', API: 'false', USERS_TRANSPORT: 'tcp' });
    expect(t.calls).toEqual(['users']);
    expect(read({ MODULES: 'users', API: '0' }).calls).toEqual([]);
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
          '(MODULES=orders): add users to MODULES or set USERS_TRANSPORT to tcp or redis',
      );
    });

    it('allows two TCP modules on one port when they live in different processes', () => {
      const env = { USERS_TRANSPORT: 'tcp', ORDERS_TRANSPORT: 'tcp', USERS_TCP_PORT: '4100', ORDERS_TCP_PORT: '4100', AUTH_TRANSPORT: 'tcp' };
      expect(read({ ...env, MODULES: 'users' }).modules.users.tcp.port).toBe(4100);
      expect(read({ ...env, MODULES: 'orders' }).modules.orders.tcp.port).toBe(4100);
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
