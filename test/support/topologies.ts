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
  /** Free TCP ports for module listeners, by module name. */
  tcpPorts: { users: number; orders: number; auth: number };
}

export const TOPOLOGY_NAMES = ['monolith', 'users-tcp', 'redis', 'split'] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

const PLANS: Record<TopologyName, (i: PlanInputs) => TopologyPlan> = {
  /** Everything in one process, modules talking over the in-process transport. */
  monolith: (i) => ({
    shared: { DATABASE_URL: i.databaseUrl },
    processes: [{ name: 'app', modules: 'users,orders,auth', api: true }],
  }),
  /**
   * The users core extracted behind TCP; the gateway keeps orders and auth. The users core asks auth
   * whether a caller's token is current, so the gateway serves auth over TCP too.
   */
  'users-tcp': (i) => ({
    shared: {
      DATABASE_URL: i.databaseUrl,
      USERS_TRANSPORT: 'tcp',
      USERS_TCP_PORT: String(i.tcpPorts.users),
      AUTH_TRANSPORT: 'tcp',
      AUTH_TCP_PORT: String(i.tcpPorts.auth),
    },
    processes: [
      { name: 'users', modules: 'users', api: false },
      { name: 'gateway', modules: 'orders,auth', api: true },
    ],
  }),
  /** Users and orders each in their own process, reached over Redis; the gateway keeps auth, which they reach over Redis too. */
  redis: (i) => ({
    shared: { DATABASE_URL: i.databaseUrl, REDIS_URL: i.redisUrl, USERS_TRANSPORT: 'redis', ORDERS_TRANSPORT: 'redis', AUTH_TRANSPORT: 'redis' },
    processes: [
      { name: 'users', modules: 'users', api: false },
      { name: 'orders', modules: 'orders', api: false },
      { name: 'gateway', modules: 'auth', api: true },
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
