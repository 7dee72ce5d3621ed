// Runs the end-to-end suites once per split topology, one topology after another (they share the test
// database), and exits non-zero if any run fails. The monolith runs as part of `npm test`.
// Usage: npm run test:topologies [-- <topology>...]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { e2eGate } = require('../test/support/e2e-gate.cjs');
const root = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true';
const ALL = ['users-tcp', 'users-redis', 'orders-tcp', 'orders-redis', 'auth-tcp', 'auth-redis', 'split'];
const topologies = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

function run(command, args, env = process.env) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

/** Whether something accepts connections at the Redis URL the redis topology will use. */
function redisReachable(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 6379), timeout: 2000 });
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

const results = [];
for (const topology of topologies) {
  if (topology.endsWith('-redis')) {
    const redisUrl = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
    if (!ci && !(await redisReachable(redisUrl))) {
      console.error(`[e2e] SKIPPED topology ${topology}: nothing answers at ${redisUrl}. Start Redis or set TEST_REDIS_URL; under CI=true this fails.`);
      results.push({ topology, outcome: 'skipped' });
      continue;
    }
  }
  console.log(`\n=== end-to-end suites, TOPOLOGY=${topology} ===\n`);
  const status = run(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand', 'test/e2e'], {
    ...process.env,
    TOPOLOGY: topology,
  });
  results.push({ topology, outcome: status === 0 ? 'passed' : 'FAILED' });
}

console.log('\nTopologies:');
for (const r of results) console.log(`  ${r.topology.padEnd(10)} ${r.outcome}`);
process.exit(results.some((r) => r.outcome === 'FAILED') ? 1 : 0);
