import { describeMove, planMove } from './move.plan.js';
import { type ModuleDescriptor } from './topology.js';
import { ConfigError } from './settings.readers.js';

const MODULES: readonly ModuleDescriptor[] = [
  { name: 'users', defaultTcpPort: 4001, calls: [], subscribes: ['auth.account-registered', 'auth.credentials-changed'] },
  { name: 'orders', defaultTcpPort: 4002, calls: ['users'], subscribes: ['users.user-deleted', 'auth.credentials-changed'] },
  { name: 'auth', defaultTcpPort: 4003, calls: [], subscribes: ['users.user-deleted'] },
];
const ON_POSTGRES = { DATABASE_URL: 'postgres://db/app', NATS_URL: 'nats://nats:4222' };

describe('planMove', () => {
  it('moves users alone: the replicas host it on NATS, the monoliths keep the rest and reach it there', () => {
    expect(planMove(ON_POSTGRES, MODULES, 'users')).toEqual({
      module: 'users',
      onNats: ['users'],
      monolith: { USERS_TRANSPORT: 'local', MODULES: 'users,orders,auth', API: 'true' },
      replica: { USERS_TRANSPORT: 'nats', MODULES: 'users', API: 'false' },
      rest: { USERS_TRANSPORT: 'nats', MODULES: 'orders,auth', API: 'true' },
    });
  });

  it('moves orders with users on NATS too, since orders asks users at run time (the monoliths keep hosting users)', () => {
    const plan = planMove(ON_POSTGRES, MODULES, 'orders');
    expect(plan.onNats).toEqual(['orders', 'users']);
    expect(plan.replica).toEqual({ ORDERS_TRANSPORT: 'nats', USERS_TRANSPORT: 'nats', MODULES: 'orders', API: 'false' });
    expect(plan.rest).toEqual({ ORDERS_TRANSPORT: 'nats', USERS_TRANSPORT: 'nats', MODULES: 'users,auth', API: 'true' });
    expect(plan.monolith).toEqual({ ORDERS_TRANSPORT: 'local', USERS_TRANSPORT: 'local', MODULES: 'users,orders,auth', API: 'true' });
  });

  it('refuses the embedded database, naming the copy to make first', () => {
    expect(() => planMove({}, MODULES, 'auth')).toThrow(ConfigError);
    expect(() => planMove({}, MODULES, 'auth')).toThrow(/embedded database cannot do; copy it to PostgreSQL first \(npm run db:copy/);
  });

  it('refuses an unknown module and a shape the application would refuse', () => {
    expect(() => planMove(ON_POSTGRES, MODULES, 'billing')).toThrow(/"billing" is unknown; known: users, orders, auth/);
    expect(() => planMove({ ...ON_POSTGRES, NATS_URL: 'http://nats' }, MODULES, 'users')).toThrow(
      /NATS_URL must use nats:\/\/ or tls:\/\//,
    );
  });

  it('describes the move step by step, with the exact variables of each shape', () => {
    const text = describeMove(planMove(ON_POSTGRES, MODULES, 'users'), 3);
    expect(text).toContain('USERS_TRANSPORT=nats MODULES=users API=false PORT=<port 3> node dist/main.js');
    expect(text).toContain('start it again as: USERS_TRANSPORT=nats MODULES=orders,auth API=true node dist/main.js');
    expect(text).toContain('USERS_TRANSPORT=local MODULES=users,orders,auth API=true node dist/main.js');
    expect(text.indexOf('Out:')).toBeLessThan(text.indexOf('Back:'));
  });
});
