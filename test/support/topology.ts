import { join } from 'node:path';
import { AppProcess, baseEnv, PROJECT_ROOT } from './app-process.js';
import { authTestEnv } from './auth-fixtures.js';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { freePorts } from './free-port.js';
import { startRoundRobin } from './round-robin.js';
import { ensureTestDatabase, resetTestDatabase, testDatabaseUrl } from './test-database.js';
import { isTopologyName, planTopology, selectedTopology, TOPOLOGY_NAMES } from './topologies.js';

export interface RunningTopology {
  name: string;
  /** Where the public HTTP API is served (the gateway, the single process, or a round robin over several gateways). */
  baseUrl: string;
  /** Every process by name (`app`; or `users`, `orders`, `auth`, `gateway`; or `users-1`... `gateway-2`). */
  processes: Record<string, AppProcess>;
  /** Stops every process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export interface StartTopologyOptions {
  /** Names the log directory, .tmp/e2e/<topology>/<label>/<process>.log; usually the spec's name. */
  label?: string;
  /** Added to the shared environment of every process (e.g. a short BUS_DEADLINE_MS for fault tests). */
  env?: Record<string, string>;
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

export function testNatsUrl(): string {
  return process.env.TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222';
}

/**
 * Starts a topology from the built application against a freshly emptied test database, and resolves
 * once every process answers 200 on /health/ready. If any process fails to get ready, all of them are
 * stopped and the error carries that process's log tail.
 */
export async function startTopology(name: string = selectedTopology(), options: StartTopologyOptions = {}): Promise<RunningTopology> {
  if (!isTopologyName(name)) throw new Error(`Unknown topology "${name}"; known: ${TOPOLOGY_NAMES.join(', ')}`);
  const databaseUrl = testDatabaseUrl();
  await ensureTestDatabase(databaseUrl);
  await resetTestDatabase(databaseUrl);

  const [users, orders, auth] = await freePorts(3);
  const namespace = `e2e-${randomBytes(4).toString('hex')}`;
  const plan = planTopology(name, {
    databaseUrl,
    redisUrl: testRedisUrl(),
    natsUrl: testNatsUrl(),
    namespace,
    tcpPorts: { users, orders, auth },
  });
  const httpPorts = await freePorts(plan.processes.length);
  // No balancer stands in front of these processes, so nothing needs time to notice one leave: they
  // stop at once on SIGTERM, as before the readiness delay existed. Specs of the delay set their own.
  // EVENTS_SETTLE_MS at its largest (half the 5 s bus deadline): the suites read a new account's profile
  // right after registering it, which the settle window normally makes visible; two lanes of topologies
  // on two cores can make one event's round trip take longer than the default second.
  const shared = {
    ...baseEnv(),
    HOST: '127.0.0.1',
    ...authTestEnv(),
    SHUTDOWN_READINESS_DELAY_MS: '0',
    EVENTS_SETTLE_MS: '2500',
    ...plan.shared,
    ...options.env,
  };
  const logDir = join(PROJECT_ROOT, '.tmp', 'e2e', name, options.label ?? 'default');

  const processes: Record<string, AppProcess> = {};
  plan.processes.forEach((p, index) => {
    processes[p.name] = new AppProcess({
      name: `${name}/${p.name}`,
      port: httpPorts[index],
      env: { ...shared, MODULES: p.modules, API: String(p.api), PORT: String(httpPorts[index]) },
      logFile: join(logDir, `${p.name}.log`),
    });
  });
  const all = Object.values(processes);
  const gateways = plan.processes.filter((p) => p.api).map((p) => processes[p.name]);
  // Several gateways: a connection-level round robin in front, and no kept-alive client connections
  // in this runner, so consecutive requests alternate between the gateways.
  const balancer = gateways.length > 1 ? await startRoundRobin(gateways.map((g) => g.port)) : undefined;
  const agent = http.globalAgent;
  if (balancer) http.globalAgent = new http.Agent({ keepAlive: false });
  const stop = async () => {
    await Promise.all(all.map((p) => p.kill('SIGTERM')));
    await balancer?.close();
    http.globalAgent = agent;
  };

  // Started together: a process whose dependencies are not up yet simply reports not-ready until they
  // are. The first process that fails stops the rest, which would otherwise wait for it until they time out.
  const failures: Error[] = [];
  let stopping: Promise<void> | undefined;
  await Promise.all(
    all.map((p) =>
      p.start().catch((err: Error) => {
        if (stopping) return stopping;
        failures.push(err);
        stopping = stop();
        return stopping;
      }),
    ),
  );
  if (failures.length) {
    await stop();
    throw new Error(`Topology "${name}" did not start (every log: ${logDir}):\n${failures.map((e) => e.message).join('\n\n')}`);
  }
  // Readiness covers what each process owns; a topology is up once every process also reaches the
  // modules it calls in the others (their circuits may still be open from the start-up race).
  try {
    await Promise.all(all.map((p) => p.waitConnected()));
  } catch (err) {
    await stop();
    throw new Error(
      `Topology "${name}" did not connect (every log: ${logDir}):
${(err as Error).message}`,
      { cause: err },
    );
  }
  return { name, baseUrl: balancer?.url ?? gateways[0].url, processes, stop };
}
