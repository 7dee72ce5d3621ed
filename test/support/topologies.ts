/**
 * The deployments the end-to-end suites run against. Every process of a topology gets the same
 * environment (`shared`) and differs only in MODULES, API and PORT: the design's promise that
 * moving a module is configuration only.
 */
export interface TopologyPlan {
  shared: Record<string, string>;
  processes: Array<{ name: string; modules: string; api: boolean }>;
}

export interface PlanInputs {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** BUS_NAMESPACE for a topology on a shared broker: fresh per start, so no run hears another. */
  namespace: string;
  /** Free TCP ports for module listeners, by module name. */
  tcpPorts: { users: number; orders: number; auth: number };
}

export const TOPOLOGY_NAMES = [
  'monolith',
  'users-tcp',
  'users-redis',
  'orders-tcp',
  'orders-redis',
  'auth-tcp',
  'auth-redis',
  'split',
  'split-redis',
  'replicas-nats',
  'monolith-workers',
] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

const MODULES = ['users', 'orders', 'auth'] as const;

/**
 * Only `module` is extracted: it runs alone and is reached over `transport`; the gateway hosts the
 * other cores in-process. Only the extracted module's variables are set, plus, for orders, the users
 * module's: orders asks users whether a buyer exists, so it must reach users wherever it runs.
 */
function alone(module: (typeof MODULES)[number], transport: 'tcp' | 'redis'): (i: PlanInputs) => TopologyPlan {
  return (i) => {
    const reached = module === 'orders' ? ['orders', 'users'] : [module];
    const shared: Record<string, string> = { DATABASE_URL: i.databaseUrl };
    for (const m of reached) {
      const prefix = m.toUpperCase();
      shared[`${prefix}_TRANSPORT`] = transport;
      if (transport === 'tcp') shared[`${prefix}_TCP_PORT`] = String(i.tcpPorts[m as keyof PlanInputs['tcpPorts']]);
    }
    if (transport === 'redis') shared.REDIS_URL = i.redisUrl;
    return {
      shared,
      processes: [
        { name: module, modules: module, api: false },
        { name: 'gateway', modules: MODULES.filter((m) => m !== module).join(','), api: true },
      ],
    };
  };
}

/** `count` processes hosting `module` alone, named `<module>-1`... */
function replicas(module: (typeof MODULES)[number], count: number): TopologyPlan['processes'] {
  return Array.from({ length: count }, (_, i) => ({ name: `${module}-${i + 1}`, modules: module, api: false }));
}

const PLANS: Record<TopologyName, (i: PlanInputs) => TopologyPlan> = {
  /** Everything in one process, modules talking over the in-process transport. */
  monolith: (i) => ({
    shared: { DATABASE_URL: i.databaseUrl },
    processes: [{ name: 'app', modules: 'users,orders,auth', api: true }],
  }),
  /** The monolith as two workers sharing one port (WORKERS=2); rate limits counted together in Redis. */
  'monolith-workers': (i) => ({
    shared: { DATABASE_URL: i.databaseUrl, WORKERS: '2', RATE_LIMIT_STORE: 'redis', REDIS_URL: i.redisUrl, BUS_NAMESPACE: i.namespace },
    processes: [{ name: 'app', modules: 'users,orders,auth', api: true }],
  }),
  'users-tcp': alone('users', 'tcp'),
  'users-redis': alone('users', 'redis'),
  'orders-tcp': alone('orders', 'tcp'),
  'orders-redis': alone('orders', 'redis'),
  'auth-tcp': alone('auth', 'tcp'),
  'auth-redis': alone('auth', 'redis'),
  /** Every core in its own process over Redis, and a gateway that hosts no core at all. */
  'split-redis': (i) => ({
    shared: {
      DATABASE_URL: i.databaseUrl,
      REDIS_URL: i.redisUrl,
      USERS_TRANSPORT: 'redis',
      ORDERS_TRANSPORT: 'redis',
      AUTH_TRANSPORT: 'redis',
    },
    processes: [
      { name: 'users', modules: 'users', api: false },
      { name: 'orders', modules: 'orders', api: false },
      { name: 'auth', modules: 'auth', api: false },
      { name: 'gateway', modules: '', api: true },
    ],
  }),
  /**
   * Every module as replicas on NATS (users x3, orders x2, auth x2), behind two API-only gateways that
   * take requests in turn; rate limits counted together in Redis.
   */
  'replicas-nats': (i) => ({
    shared: {
      DATABASE_URL: i.databaseUrl,
      NATS_URL: i.natsUrl,
      BUS_NAMESPACE: i.namespace,
      USERS_TRANSPORT: 'nats',
      ORDERS_TRANSPORT: 'nats',
      AUTH_TRANSPORT: 'nats',
      RATE_LIMIT_STORE: 'redis',
      REDIS_URL: i.redisUrl,
    },
    processes: [
      ...replicas('users', 3),
      ...replicas('orders', 2),
      ...replicas('auth', 2),
      { name: 'gateway-1', modules: '', api: true },
      { name: 'gateway-2', modules: '', api: true },
    ],
  }),
  /** Every core in its own process over TCP, and a gateway that hosts no core at all. */
  split: (i) => ({
    shared: {
      DATABASE_URL: i.databaseUrl,
      USERS_TRANSPORT: 'tcp',
      USERS_TCP_PORT: String(i.tcpPorts.users),
      ORDERS_TRANSPORT: 'tcp',
      ORDERS_TCP_PORT: String(i.tcpPorts.orders),
      AUTH_TRANSPORT: 'tcp',
      AUTH_TCP_PORT: String(i.tcpPorts.auth),
    },
    processes: [
      { name: 'users', modules: 'users', api: false },
      { name: 'orders', modules: 'orders', api: false },
      { name: 'auth', modules: 'auth', api: false },
      { name: 'gateway', modules: '', api: true },
    ],
  }),
};

export function isTopologyName(name: string): name is TopologyName {
  return (TOPOLOGY_NAMES as readonly string[]).includes(name);
}

export function planTopology(name: string, inputs: PlanInputs): TopologyPlan {
  if (!isTopologyName(name)) throw new Error(`Unknown topology "${name}"; known: ${TOPOLOGY_NAMES.join(', ')}`);
  return PLANS[name](inputs);
}

/** The topology chosen for this run: env TOPOLOGY, default monolith. */
export function selectedTopology(): TopologyName {
  const name = process.env.TOPOLOGY?.trim() || 'monolith';
  if (!isTopologyName(name)) throw new Error(`TOPOLOGY="${name}" is unknown; known: ${TOPOLOGY_NAMES.join(', ')}`);
  return name;
}
