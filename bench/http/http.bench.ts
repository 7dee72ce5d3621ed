/**
 * `npm run bench:http`: the public HTTP API under load, side by side with two references, in one run on
 * PostgreSQL. Systems, one at a time on loopback: a bare server (bare-server.ts: Fastify, pg, a
 * hand-written token check), a plain NestJS reference (plain/plain.main.ts: the monolith's three
 * benchmarked routes in one Nest module with the monolith's logger, metrics, rate limits, security
 * headers, validation, token check and SQL, but no bus), the monolith, the monolith with each layer
 * switch off (LOG_REQUESTS, METRICS_HTTP, TRACING_HOOKS, RATE_LIMIT_ENABLED), the monolith as WORKERS=1
 * and WORKERS=2, and users and auth each in their own process reached over TCP, over Redis, then over
 * NATS (each application process `node dist/main.js`). Each case is loaded with autocannon; the first
 * request of each case must answer the expected status, and on the monolith's routes the same JSON shape
 * on every system. BENCH_ROUNDS rounds each run every system once, in alternating order (forward, then
 * backward), and the report prints per case the median over rounds of req/s, p50, p99 and server CPU
 * ms per request, the spread (min-max) of CPU per request, ratios to the plain reference's same route
 * and to the bare server's same operation, a PASS/MISS line per monolith route against the issue's
 * targets, the per-layer cost table, and the WORKERS comparison. Stops everything it started.
 *
 * Settings (env): BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mm_bench_test; its
 * name must contain "test", it is emptied), BENCH_REDIS_URL (else REDIS_URL, else redis://127.0.0.1:6379),
 * BENCH_NATS_URL (else NATS_URL, else nats://127.0.0.1:4222),
 * BENCH_ROUTES (routes of the monolith's API to load, comma-separated; default all),
 * BENCH_ROUNDS (3), BENCH_DURATION seconds per case (10), BENCH_WARMUP seconds before each (2),
 * BENCH_PRIME seconds of load on each route of a newly started system before any of them is measured (5),
 * BENCH_CONNECTIONS (50), BENCH_USERS (50),
 * BENCH_SYSTEMS (bare,plain,monolith,layers,workers,users-auth-tcp,users-auth-redis,users-auth-nats,embedded;
 * `embedded` measures start-up only and runs in the first round),
 * BENCH_PIN (true: server processes on CPU 1, the benchmark and autocannon on CPU 0, with taskset, when
 * there are two cores or more; WORKERS=2 gets every core),
 * BENCH_NODE_ARGS (node flags for the application's processes, e.g. --cpu-prof, after those of the
 * Dockerfile's CMD, which every application process gets),
 * BENCH_LOG_LEVEL (the application's LOG_LEVEL; default: the application's own), BENCH_TIMEOUT_S
 * (900 per round, plus 300), BENCH_ENTRY (the application's entry point, default dist/main.js).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePorts } from '../../test/support/free-port.js';
import { ensureTestDatabase, redact, resetTestDatabase } from '../../test/support/test-database.js';
import { ALL_WORKERS_LISTENING } from '../../src/workers.js';
import { pinCores } from './cpus.js';
import { signHs256 } from './hs256.js';
import { Caller, cycle, get, post, register, Route, ROUTES, shapeOf } from './callers.js';
import { load, LoadRequest, LoadSettings } from './load.js';
import { BenchProcess } from './processes.js';
import { fmt, Layer, Measurement, printCases, printLayers, printTargets, summarise } from './report.js';

const env = process.env;
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
/** The build under test; BENCH_ENTRY points at another one (e.g. a variant built elsewhere) for an A/B comparison. */
const ENTRY = env.BENCH_ENTRY ? resolve(env.BENCH_ENTRY) : join(ROOT, 'dist', 'main.js');
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const PLAIN = fileURLToPath(new URL('./plain/plain.main.js', import.meta.url));
const LOGS = join(ROOT, '.tmp', 'bench-http');

const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mm_bench_test';
const REDIS_URL = env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = env.BENCH_NATS_URL ?? env.NATS_URL ?? 'nats://127.0.0.1:4222';
const USERS = Number(env.BENCH_USERS ?? 50);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const SYSTEMS = (env.BENCH_SYSTEMS ?? 'bare,plain,monolith,layers,workers,users-auth-tcp,users-auth-redis,users-auth-nats,embedded')
  .split(',')
  .map((s) => s.trim());
/** The node flags of the image's CMD (also npm start's): the application is measured as it is deployed. */
const IMAGE_NODE_FLAGS = imageNodeFlags();
const NODE_ARGS = [...IMAGE_NODE_FLAGS, ...(env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
/** BENCH_ROUTES (e.g. "GET /v1/users/me"): only these routes of the monolith's API are loaded; default every one. */
const ROUTE_FILTER = env.BENCH_ROUTES?.split(',')
  .map((r) => r.trim())
  .filter(Boolean);
const TIMEOUT_S = Number(env.BENCH_TIMEOUT_S ?? 900 * ROUNDS + 300);
const READY_TIMEOUT_MS = 120_000;
const loadSettings: LoadSettings = {
  connections: Number(env.BENCH_CONNECTIONS ?? 50),
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
};
/**
 * A process just started is still compiling and growing its heap well past the first case's warm-up
 * (CPU per request kept falling for about 20 s of load in a fresh plain reference), so whichever route
 * a system serves first would be measured slower than the others: every route is loaded this long first.
 */
const PRIME_S = Number(env.BENCH_PRIME ?? 5);
/** Far above what one run can send, so no case measures the rate limiter refusing requests. */
const RAISED_LIMIT = '1000000';
const pinning = pinCores(env.BENCH_PIN?.trim().toLowerCase() !== 'false');

const jwt = { JWT_SECRET: randomBytes(48).toString('base64url'), JWT_ISSUER: 'mm-bench', JWT_AUDIENCE: 'mm-bench-api' };
const BARE_SYSTEM = 'bare';
const PLAIN_SYSTEM = 'plain NestJS';
const MONOLITH = 'monolith';
/** The layers the monolith can leave out, each measured with its switch off against MONOLITH. */
const LAYERS: Layer[] = [
  { layer: 'request log line', variable: 'LOG_REQUESTS' },
  { layer: 'HTTP metrics', variable: 'METRICS_HTTP' },
  { layer: 'tracing hooks', variable: 'TRACING_HOOKS' },
  { layer: 'rate limit', variable: 'RATE_LIMIT_ENABLED' },
].map((l) => ({ ...l, system: `monolith, ${l.variable}=false` }));

const measurements: Measurement[] = [];
const notes: string[] = [];
const running = new Set<BenchProcess>();
/** The JSON shape each route of the monolith's API answered first, which every other system must answer too. */
const shapes = new Map<string, string>();
let round = 1;

function appEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG']) if (env[name] !== undefined) base[name] = env[name]!;
  return {
    ...base,
    HOST: '127.0.0.1',
    ...jwt,
    ACCESS_TOKEN_TTL: '7200',
    RATE_LIMIT: RAISED_LIMIT,
    CREDENTIAL_RATE_LIMIT: RAISED_LIMIT,
    CREDENTIAL_CLIENT_RATE_LIMIT: RAISED_LIMIT,
    AUTH_FAILED_ATTEMPTS: RAISED_LIMIT,
    // Nothing balances load here: a stopping process need not keep answering before it drains.
    SHUTDOWN_READINESS_DELAY_MS: '0',
    ...(env.BENCH_LOG_LEVEL ? { LOG_LEVEL: env.BENCH_LOG_LEVEL } : {}),
    ...extra,
  };
}

function imageNodeFlags(): string[] {
  const cmd = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('CMD ['));
  if (!cmd) throw new Error('The Dockerfile has no CMD in exec form');
  const argv = JSON.parse(cmd.slice('CMD '.length)) as string[];
  return argv.slice(1, -1);
}

async function startProcess(
  name: string,
  script: string,
  port: number,
  processEnv: Record<string, string>,
  health = '/health/ready',
  cores = pinning.server,
) {
  // The plain reference runs with the application's node flags too: the same V8 heap settings on both sides.
  const nodeArgs = script === BARE ? [] : NODE_ARGS;
  const p = new BenchProcess(name, script, port, processEnv, join(LOGS, `${name}.log`), health, nodeArgs, cores);
  running.add(p);
  await p.start(READY_TIMEOUT_MS);
  return p;
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
  running.clear();
}

/**
 * Loads one case; CPU per request is summed over every process of the system under test (and their
 * child processes). The first request must answer `expect` and, for a route of the monolith's API, the
 * JSON shape that route answered first in this run.
 */
async function measure(
  system: string,
  route: string,
  op: 'GET' | 'POST',
  baseUrl: string,
  expect: number,
  next: () => LoadRequest,
): Promise<void> {
  const name = `${system} ${route}`;
  // One request first: a case whose requests fail would measure error handling, not the operation.
  const probe = next();
  const res = await fetch(baseUrl + probe.path, { method: probe.method, headers: probe.headers, body: probe.body });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${name}: ${probe.method} ${probe.path} answered ${res.status}: ${text.slice(0, 300)}`);
  if (route in ROUTES) {
    const shape = shapeOf(JSON.parse(text));
    const first = shapes.get(route);
    if (first === undefined) shapes.set(route, shape);
    else if (shape !== first) throw new Error(`${name}: answered the shape ${shape}, where this route answered ${first} before`);
  }
  process.stderr.write(`  round ${round}: ${name} (${loadSettings.warmupS} s warm-up + ${loadSettings.durationS} s)\n`);
  const cpu = () => [...running].filter((p) => p.alive).reduce((sum, p) => sum + p.cpuSeconds(), 0);
  let cpuBefore = 0;
  const result = await load(baseUrl, loadSettings, next, () => (cpuBefore = cpu()));
  const requests = result.ok + result.failed;
  measurements.push({ system, route, op, round, ...result, cpuMsPerReq: requests ? ((cpu() - cpuBefore) * 1000) / requests : NaN });
}

/** Loads `routes` of the monolith's API on `baseUrl` as `system`. */
async function measureRoutes(system: string, baseUrl: string, callers: Caller[], allRoutes: Route[]): Promise<void> {
  const routes = allRoutes.filter((route) => !ROUTE_FILTER || ROUTE_FILTER.includes(route));
  if (PRIME_S > 0) {
    process.stderr.write(`  round ${round}: ${system}: ${PRIME_S} s on each of ${routes.length} route(s) before measuring\n`);
    for (const route of routes)
      await load(baseUrl, { ...loadSettings, warmupS: 0, durationS: PRIME_S }, cycle(callers, ROUTES[route].build));
  }
  for (const route of routes) {
    const { op, expect, build } = ROUTES[route];
    await measure(system, route, op, baseUrl, expect, cycle(callers, build));
  }
}

/** Starts the monolith on an emptied database (migrations run), registers the callers, and stops it. */
async function seedThroughMonolith(name: string): Promise<Caller[]> {
  const [port] = await freePorts(1);
  const seeder = await startProcess(`${name}-seed`, ENTRY, port, appEnv({ DATABASE_URL, PORT: String(port) }));
  const callers = await register(seeder.url, USERS);
  await seeder.stop();
  running.delete(seeder);
  return callers;
}

async function bare(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const callers: Caller[] = [];
  const policy = { secret: Buffer.from(jwt.JWT_SECRET, 'utf8'), issuer: jwt.JWT_ISSUER, audience: jwt.JWT_AUDIENCE };
  try {
    await client.query('CREATE SCHEMA bare');
    await client.query(`CREATE TABLE bare.users (id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      name varchar(100) NOT NULL, email varchar(254) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`CREATE TABLE bare.orders (id uuid PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      user_id uuid NOT NULL, status varchar(16) NOT NULL, items jsonb NOT NULL, total_cents bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`);
    await client.query('CREATE INDEX orders_user_seq ON bare.orders (user_id, seq)');
    for (let i = 0; i < USERS; i++) {
      const id = randomUUID();
      await client.query('INSERT INTO bare.users (id, name, email) VALUES ($1, $2, $3)', [id, `Bench User ${i}`, `bench-${i}@example.com`]);
      const token = signHs256(policy, { sub: id, token_use: 'access', exp: Math.floor(Date.now() / 1000) + 7200 });
      callers.push({ id, token });
    }
  } finally {
    await client.end();
  }
  const [port] = await freePorts(1);
  const server = await startProcess('bare', BARE, port, { PATH: env.PATH ?? '', DATABASE_URL, PORT: String(port), ...jwt }, '/health');
  await measure(
    BARE_SYSTEM,
    'GET /users/:id',
    'GET',
    server.url,
    200,
    cycle(
      callers,
      get((c) => `/users/${c.id}`),
    ),
  );
  await measure(BARE_SYSTEM, 'POST /orders', 'POST', server.url, 201, cycle(callers, post('/orders')));
}

/** The plain NestJS reference on the monolith's tables, seeded through the monolith. */
async function plain(): Promise<void> {
  const callers = await seedThroughMonolith('plain');
  const [port] = await freePorts(1);
  const app = await startProcess('plain', PLAIN, port, appEnv({ DATABASE_URL, PORT: String(port) }), '/metrics');
  await measureRoutes(PLAIN_SYSTEM, app.url, callers, ['GET /v1/users/:id', 'GET /v1/users/me', 'POST /v1/orders']);
}

async function monolith(): Promise<void> {
  const [port] = await freePorts(1);
  const processEnv = appEnv({ DATABASE_URL, PORT: String(port) });
  const first = await startProcess('monolith', ENTRY, port, processEnv);
  await first.stop();
  // Started again on the migrated database: what a restart or a new replica costs.
  const app = await startProcess('monolith', ENTRY, port, processEnv);
  await new Promise((r) => setTimeout(r, 2000));
  if (round === 1) {
    notes.push(
      `monolith on PostgreSQL: ready in ${first.readyMs.toFixed(0)} ms on an empty database (migrations run), ` +
        `${app.readyMs.toFixed(0)} ms with migrations applied; idle RSS ${app.rssMiB().toFixed(0)} MiB`,
    );
  }
  const callers = await register(app.url, USERS);
  await measureRoutes(MONOLITH, app.url, callers, ['GET /v1/users/:id', 'GET /v1/users/me', 'POST /v1/orders']);
}

/** The monolith once per layer switch, that switch off and everything else as in `monolith`. */
async function layers(): Promise<void> {
  const callers = await seedThroughMonolith('layers');
  for (const layer of LAYERS) {
    const [port] = await freePorts(1);
    const app = await startProcess(
      `layer-${layer.variable}`,
      ENTRY,
      port,
      appEnv({ DATABASE_URL, PORT: String(port), [layer.variable]: 'false' }),
    );
    await measureRoutes(layer.system, app.url, callers, ['GET /v1/users/:id', 'POST /v1/orders']);
    await app.stop();
    running.delete(app);
  }
}

/**
 * The monolith as one worker and as two sharing its port (src/workers.ts), both with the limits counted
 * in Redis as several workers require. One worker runs where every server runs (CPU 1 when pinned);
 * two workers get every core, since on one core they would only take turns.
 */
async function workers(): Promise<void> {
  const callers = await seedThroughMonolith('workers');
  for (const count of [1, 2]) {
    const [port] = await freePorts(1);
    const processEnv = appEnv({
      DATABASE_URL,
      PORT: String(port),
      WORKERS: String(count),
      RATE_LIMIT_STORE: 'redis',
      REDIS_URL,
      BUS_NAMESPACE: `bench-${randomBytes(3).toString('hex')}`,
    });
    const app = await startProcess(`workers-${count}`, ENTRY, port, processEnv, '/health/ready', count > 1 ? pinning.all : pinning.server);
    // The shared port answers once the first worker listens: the primary says when every worker does.
    if (count > 1) await app.waitForLogLine(ALL_WORKERS_LISTENING, READY_TIMEOUT_MS);
    await measureRoutes(`monolith WORKERS=${count}`, app.url, callers, ['GET /v1/users/me', 'POST /v1/orders']);
    await app.stop();
    running.delete(app);
  }
}

const TRANSPORT_LABELS = { tcp: 'TCP', redis: 'Redis', nats: 'NATS' } as const;

/** users and auth each in their own process, reached over `transport`; the gateway hosts orders. */
async function extracted(transport: 'tcp' | 'redis' | 'nats'): Promise<void> {
  const [usersHttp, authHttp, gatewayHttp, usersTcp, authTcp] = await freePorts(5);
  const shared: Record<string, string> = { DATABASE_URL, USERS_TRANSPORT: transport, AUTH_TRANSPORT: transport };
  if (transport === 'tcp') Object.assign(shared, { USERS_TCP_PORT: String(usersTcp), AUTH_TCP_PORT: String(authTcp) });
  if (transport === 'redis') shared.REDIS_URL = REDIS_URL;
  if (transport === 'nats') Object.assign(shared, { NATS_URL, BUS_NAMESPACE: `bench-${randomBytes(3).toString('hex')}` });
  const plan = [
    { name: 'users', modules: 'users', api: false, port: usersHttp },
    { name: 'auth', modules: 'auth', api: false, port: authHttp },
    { name: 'gateway', modules: 'orders', api: true, port: gatewayHttp },
  ];
  const started = await Promise.all(
    plan.map((p) =>
      startProcess(
        `users-auth-${transport}-${p.name}`,
        ENTRY,
        p.port,
        appEnv({ ...shared, MODULES: p.modules, API: String(p.api), PORT: String(p.port) }),
      ),
    ),
  );
  const gateway = started[2];
  const callers = await register(gateway.url, USERS);
  await measureRoutes(`users+auth over ${TRANSPORT_LABELS[transport]}:`, gateway.url, callers, ['POST /v1/orders']);
}

/** The embedded database: start-up on an empty data directory, again on the migrated one, and idle memory. */
async function embedded(): Promise<void> {
  const dataDir = join(LOGS, 'pglite');
  rmSync(dataDir, { recursive: true, force: true });
  const [port] = await freePorts(1);
  const processEnv = appEnv({ DATA_DIR: dataDir, PORT: String(port) });
  const first = await startProcess('embedded', ENTRY, port, processEnv);
  await first.stop();
  const app = await startProcess('embedded', ENTRY, port, processEnv);
  await new Promise((r) => setTimeout(r, 2000));
  notes.push(
    `monolith on the embedded database: ready in ${first.readyMs.toFixed(0)} ms on an empty data directory, ` +
      `${app.readyMs.toFixed(0)} ms with migrations applied; idle RSS ${app.rssMiB().toFixed(0)} MiB`,
  );
}

function report(): void {
  const cases = summarise(measurements);
  writeFileSync(join(LOGS, 'measurements.json'), JSON.stringify(measurements, null, 1));
  const load1 = loadavg()[0];
  console.log(
    `\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load1.toFixed(2)} at the end; ` +
      `PostgreSQL ${redact(DATABASE_URL)}; autocannon ${loadSettings.connections} connections, ${loadSettings.durationS} s per case ` +
      `after ${loadSettings.warmupS} s warm-up, ${USERS} users; every process on 127.0.0.1.`,
  );
  console.log(`Cores: ${pinning.why}.`);
  console.log(
    `${ROUNDS} round(s), each running every system once, in alternating order (odd rounds forward, even rounds backward); ` +
      'every figure is the median over rounds, CPU min-max the spread of CPU per request over rounds.',
  );
  console.log(
    'CPU ms/req: user + system CPU of every process of the system under test (and their child processes) during the measured' +
      ' seconds, per request answered; it moves far less than req/s when other work shares the machine.',
  );
  console.log(
    `Rate limits raised for the run: RATE_LIMIT=${RAISED_LIMIT} and CREDENTIAL_RATE_LIMIT=${RAISED_LIMIT} per window.` +
      ` Application LOG_LEVEL: ${env.BENCH_LOG_LEVEL ?? 'its default'}. Node flags of the application and the plain reference ` +
      `(the image's CMD first): ${NODE_ARGS.join(' ') || 'none'}.` +
      `${env.BENCH_ENTRY ? ` Entry point: ${ENTRY}` : ''}\n`,
  );
  printCases(cases, PLAIN_SYSTEM, BARE_SYSTEM);
  console.log('\nTargets of the monolith against the plain NestJS reference:');
  printTargets(cases, measurements, MONOLITH, PLAIN_SYSTEM);
  if (cases.some((c) => LAYERS.some((l) => l.system === c.system))) {
    console.log(`\nCost per layer: CPU per request of "${MONOLITH}" (everything on) and of the monolith with one switch off (medians):\n`);
    printLayers(cases, MONOLITH, LAYERS, PLAIN_SYSTEM);
    console.log(
      '\nThe module boundary has no switch: its row compares the monolith with the plain NestJS reference, which has the ' +
        'same HTTP side and SQL but no bus and no core. It holds the in-process hop (a JSON copy each way, an asynchronous ' +
        "delivery, the bus channel's deadline and metrics) and Nest's RPC pipeline around the core's handler (the core's own " +
        'IdentityGuard and ValidationPipe, its error filter, the request-context and tracing hooks), and on POST /v1/orders a ' +
        'second hop and SQL statement (orders asks users whether the buyer exists). Switching those off would not measure a ' +
        'transport: the core would stop checking its caller and its input.',
    );
  }
  const [one, two] = [1, 2].map((n) => cases.filter((c) => c.system === `monolith WORKERS=${n}`));
  if (one.length && two.length) {
    const where = pinning.on
      ? `WORKERS=1 on CPU ${pinning.server}, WORKERS=2 on CPUs ${pinning.all} (two workers pinned to one core would only take turns)`
      : 'no pinning';
    console.log(
      `\nWORKERS: ${where}; ` +
        'both count rate limits in Redis (RATE_LIMIT_STORE=redis, which several workers require). On a 2-core machine the two ' +
        'workers share the cores with autocannon, PostgreSQL and Redis, so WORKERS=2 cannot double the rate: the load ' +
        'generator alone takes a large part of one core.',
    );
    for (const c of two) {
      const base = one.find((o) => o.route === c.route);
      if (!base) continue;
      console.log(
        `${c.route}: WORKERS=2 ${fmt(c.reqPerSec)} req/s vs ${fmt(base.reqPerSec)} (${fmt((c.reqPerSec / base.reqPerSec) * 100, 1)} %), ` +
          `p99 ${fmt(c.p99Ms)} vs ${fmt(base.p99Ms)} ms, CPU ${fmt(c.cpuMsPerReq, 3)} vs ${fmt(base.cpuMsPerReq, 3)} ms/req`,
      );
    }
  }
  const mono = cases.find((r) => r.name === `${MONOLITH} POST /v1/orders`);
  const extracted = cases.filter((x) => x.system.startsWith('users+auth'));
  if (extracted.length) console.log('');
  for (const r of extracted) {
    if (mono) console.log(`${r.name}: ${((r.reqPerSec / mono.reqPerSec) * 100).toFixed(1)} % of the monolith's POST /v1/orders`);
  }
  const [tcp, nats] = ['TCP', 'NATS'].map((t) => cases.find((r) => r.name === `users+auth over ${t}: POST /v1/orders`));
  if (tcp && nats) {
    console.log(
      `users+auth over NATS: POST /v1/orders at ${((nats.reqPerSec / tcp.reqPerSec) * 100).toFixed(1)} % of the TCP figure ` +
        `(CPU per request ${(nats.cpuMsPerReq / tcp.cpuMsPerReq).toFixed(2)}x TCP's), same run`,
    );
  }
  for (const n of notes) console.log(n);
  console.log(`Process logs: ${LOGS}; every measurement of every round: ${join(LOGS, 'measurements.json')}`);
}

async function main(): Promise<void> {
  const timer = setTimeout(() => {
    process.stderr.write(`bench:http: still running after ${TIMEOUT_S} s; stopping everything\n`);
    void stopAll().finally(() => process.exit(2));
  }, TIMEOUT_S * 1000);
  timer.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  if (!(PRIME_S >= 0)) throw new Error(`BENCH_PRIME must be a number of seconds from 0, got ${env.BENCH_PRIME}`);
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`BENCH_ROUNDS must be a whole number from 1, got ${env.BENCH_ROUNDS}`);

  process.stderr.write(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${pinning.why}\n`,
  );
  await ensureTestDatabase(DATABASE_URL);
  const systems: Record<string, () => Promise<void>> = {
    bare,
    plain,
    monolith,
    layers,
    workers,
    'users-auth-tcp': () => extracted('tcp'),
    'users-auth-redis': () => extracted('redis'),
    'users-auth-nats': () => extracted('nats'),
    embedded,
  };
  for (const route of ROUTE_FILTER ?? []) {
    if (!(route in ROUTES)) throw new Error(`BENCH_ROUTES names "${route}"; known: ${Object.keys(ROUTES).join(', ')}`);
  }
  for (const name of SYSTEMS) {
    if (!systems[name]) throw new Error(`BENCH_SYSTEMS names "${name}"; known: ${Object.keys(systems).join(', ')}`);
  }
  for (round = 1; round <= ROUNDS; round++) {
    // Alternating order, so no system is always measured first (fresh machine) or last (warm caches, a fuller database).
    const order = round % 2 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const name of order) {
      // The embedded database measures start-up only, which needs no repetition.
      if (name === 'embedded' && round > 1) continue;
      process.stderr.write(`round ${round}/${ROUNDS}: ${name}\n`);
      await resetTestDatabase(DATABASE_URL);
      try {
        await systems[name]();
      } finally {
        await stopAll();
      }
    }
  }
  report();
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(err);
    await stopAll();
    process.exit(1);
  },
);
