import { availableParallelism } from 'node:os';
import { readTopology, type ModuleDescriptor } from './common/config/topology.js';
import { assertWorkersSupported, readWorkerSettings } from './workers.js';

const MODULES: readonly ModuleDescriptor[] = [
  { name: 'users', defaultTcpPort: 4001, calls: [], subscribes: [] },
  { name: 'orders', defaultTcpPort: 4002, calls: ['users'], subscribes: [] },
];
const topology = (env: Record<string, string>) => readTopology(env, MODULES);
const ON_POSTGRES = { DATABASE_URL: 'postgres://db/app' };

describe('WORKERS', () => {
  it('reads a count, or one per available core for auto; one by default', () => {
    expect(readWorkerSettings({})).toEqual({ workers: 1 });
    expect(readWorkerSettings({ WORKERS: '3' })).toEqual({ workers: 3 });
    expect(readWorkerSettings({ WORKERS: 'AUTO' })).toEqual({ workers: availableParallelism() });
    expect(() => readWorkerSettings({ WORKERS: '0' })).toThrow(/WORKERS must be an integer from 1 to 256, got "0"/);
    expect(() => readWorkerSettings({ WORKERS: 'many' })).toThrow(/WORKERS must be an integer/);
  });

  it('allows several workers on PostgreSQL with shared rate limits, the modules in-process or on NATS', () => {
    expect(() => assertWorkersSupported(2, topology(ON_POSTGRES), 'redis')).not.toThrow();
    expect(() => assertWorkersSupported(2, topology({ ...ON_POSTGRES, USERS_TRANSPORT: 'nats' }), 'redis')).not.toThrow();
    // One worker is the default deployment: nothing to check.
    expect(() => assertWorkersSupported(1, topology({}), 'memory')).not.toThrow();
  });

  it.each([
    ['the embedded database', {}, 'redis', /WORKERS is 2, but the users module is on the embedded database/],
    [
      'a module on TCP',
      { ...ON_POSTGRES, USERS_TRANSPORT: 'tcp' },
      'redis',
      /USERS_TRANSPORT is tcp, on which a module runs as one process: use nats/,
    ],
    ['a module on Redis', { ...ON_POSTGRES, ORDERS_TRANSPORT: 'redis', USERS_TRANSPORT: 'redis' }, 'redis', /USERS_TRANSPORT is redis/],
    [
      'rate limits per process',
      ON_POSTGRES,
      'memory',
      /RATE_LIMIT_STORE is memory: with WORKERS=2 each worker would allow the whole limit/,
    ],
  ])('refuses several workers with %s, naming the variable', (_what, env, store, message) => {
    expect(() => assertWorkersSupported(2, topology(env), store)).toThrow(message);
  });
});
