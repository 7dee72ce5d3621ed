// Runs the end-to-end suites once per split topology, one topology after another (they share the test
// database), and exits non-zero if any run fails. The monolith runs as part of `npm test`.
// Usage: npm run test:topologies [-- <topology>...]
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { e2eGate } = require('../test/support/e2e-gate.cjs');
const root = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true';
const ALL = [
  'users-tcp',
  'users-redis',
  'orders-tcp',
  'orders-redis',
  'auth-tcp',
  'auth-redis',
  'split',
  'replicas-nats',
  'monolith-workers',
];
const topologies = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

function run(command, args, env = process.env) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

/** Whether something accepts connections at a broker URL a topology will use. */
function reachable(url, defaultPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || defaultPort), timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

const known = ['monolith', ...ALL];
const unknown = topologies.filter((t) => !known.includes(t));
if (unknown.length) {
  console.error(`Unknown topology: ${unknown.join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}

const gate = await e2eGate();
if (gate.message) console.error(gate.message);
if (!gate.run) process.exit(0);

if (run('npm', ['run', 'build']) !== 0) process.exit(1);

/**
 * Two lanes run side by side, each one topology after another: the TCP topologies on the test
 * database, those on a broker (Redis, NATS) on a second database (same name with a suffix). They share
 * no database, no broker (only one lane uses them, and each topology start has its own BUS_NAMESPACE),
 * no jest cache and no port (each lane has its own TEST_PORT_RANGE, see test/support/free-port.ts), so
 * they cannot see each other's work. Each run's output is printed whole when it ends.
 * TOPOLOGY_LANES=1 runs everything in one lane.
 */
const baseDatabase = process.env.TEST_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/mm_e2e_test';
const secondDatabase = (() => {
  const u = new URL(baseDatabase);
  u.pathname = `${u.pathname}_lane2`;
  return u.toString();
})();
const oneLane = process.env.TOPOLOGY_LANES === '1';
const lanes = oneLane
  ? [{ name: 'all', database: baseDatabase, ports: '20000-24999', topologies }]
  : [
      { name: 'tcp', database: baseDatabase, ports: '20000-24999', topologies: topologies.filter((t) => !brokerLane(t)) },
      { name: 'brokers', database: secondDatabase, ports: '25000-29999', topologies: topologies.filter(brokerLane) },
    ];

/** The brokers a topology needs besides PostgreSQL: they run in the second lane. */
function brokersOf(topology) {
  if (topology.endsWith('-redis'))
    return [['Redis', process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379', 6379, 'TEST_REDIS_URL']];
  if (topology === 'monolith-workers')
    return [['Redis', process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379', 6379, 'TEST_REDIS_URL']];
  if (topology === 'replicas-nats') {
    return [
      ['NATS', process.env.TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222', 4222, 'TEST_NATS_URL'],
      ['Redis', process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379', 6379, 'TEST_REDIS_URL'],
    ];
  }
  return [];
}

/**
 * The second lane holds what uses Redis publish/subscribe without a namespace (the Redis topologies,
 * which must not hear each other's channels) and the NATS replicas, the longest run, to even the lanes;
 * topologies on namespaced brokers only may share a broker with anything.
 */
function brokerLane(topology) {
  return topology.endsWith('-redis') || topology === 'replicas-nats';
}

function runQuietly(env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand', 'test/e2e'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
}

const results = [];
await Promise.all(
  lanes.map(async (lane) => {
    for (const topology of lane.topologies) {
      const missing = [];
      for (const [broker, url, port, variable] of brokersOf(topology)) {
        if (!(await reachable(url, port))) missing.push(`${broker} at ${url} (start it or set ${variable})`);
      }
      if (!ci && missing.length) {
        console.error(`[e2e] SKIPPED topology ${topology}: nothing answers for ${missing.join(', ')}; under CI=true this fails.`);
        results.push({ topology, outcome: 'skipped' });
        continue;
      }
      const started = Date.now();
      const { status, output } = await runQuietly({
        ...process.env,
        TOPOLOGY: topology,
        TEST_DATABASE_URL: lane.database,
        TEST_PORT_RANGE: lane.ports,
        JEST_CACHE_DIR: join(root, '.tmp', `jest-cache-${lane.name}`),
      });
      console.log(
        `\n=== end-to-end suites, TOPOLOGY=${topology} (lane ${lane.name}, ${Math.round((Date.now() - started) / 1000)} s) ===\n${output}`,
      );
      results.push({ topology, outcome: status === 0 ? 'passed' : 'FAILED' });
    }
  }),
);

console.log('\nTopologies:');
for (const r of results) console.log(`  ${r.topology.padEnd(10)} ${r.outcome}`);
process.exit(results.some((r) => r.outcome === 'FAILED') ? 1 : 0);
