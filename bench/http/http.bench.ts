/**
 * `npm run bench:http`: the public HTTP API under load, side by side with a bare reference server, in
 * one run on PostgreSQL. Starts, one system at a time on loopback: the bare server (bare-server.ts),
 * the monolith, then users and auth each in their own process reached over TCP, over Redis, then over NATS (each
 * process `node dist/main.js`); seeds users, loads each case with autocannon and prints req/s, p50,
 * p99 and their ratio to the bare reference's same operation. Stops everything it started.
 *
 * Settings (env): BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mm_bench_test; its
 * name must contain "test", it is emptied), BENCH_REDIS_URL (else REDIS_URL, else redis://127.0.0.1:6379), BENCH_NATS_URL (else NATS_URL,
 * else nats://127.0.0.1:4222),
 * BENCH_DURATION seconds per case (10), BENCH_WARMUP seconds before each (2), BENCH_CONNECTIONS (50),
 * BENCH_USERS (50), BENCH_SYSTEMS (bare,monolith,users-auth-tcp,users-auth-redis,users-auth-nats,embedded),
 * BENCH_NODE_ARGS (node flags for the application's processes, e.g. --cpu-prof, after those of the
 * Dockerfile's CMD, which every application process gets),
 * BENCH_LOG_LEVEL (the application's LOG_LEVEL; default: the application's own), BENCH_TIMEOUT_S (1200),
 * BENCH_ENTRY (the application's entry point, default dist/main.js).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePorts } from '../../test/support/free-port.js';
import { ensureTestDatabase, redact, resetTestDatabase } from '../../test/support/test-database.js';
import { signHs256 } from './hs256.js';
import { load, LoadRequest, LoadResult, LoadSettings } from './load.js';
import { BenchProcess } from './processes.js';

const env = process.env;
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
/** The build under test; BENCH_ENTRY points at another one (e.g. a variant built elsewhere) for an A/B comparison. */
const ENTRY = env.BENCH_ENTRY ? resolve(env.BENCH_ENTRY) : join(ROOT, 'dist', 'main.js');
const BARE = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const LOGS = join(ROOT, '.tmp', 'bench-http');

const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mm_bench_test';
const REDIS_URL = env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = env.BENCH_NATS_URL ?? env.NATS_URL ?? 'nats://127.0.0.1:4222';
const USERS = Number(env.BENCH_USERS ?? 50);
const SYSTEMS = (env.BENCH_SYSTEMS ?? 'bare,monolith,users-auth-tcp,users-auth-redis,users-auth-nats,embedded')
  .split(',')
  .map((s) => s.trim());
/** The node flags of the image's CMD (also npm start's): the application is measured as it is deployed. */
const IMAGE_NODE_FLAGS = imageNodeFlags();
const NODE_ARGS = [...IMAGE_NODE_FLAGS, ...(env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
const TIMEOUT_S = Number(env.BENCH_TIMEOUT_S ?? 1200);
const READY_TIMEOUT_MS = 120_000;
const loadSettings: LoadSettings = {
  connections: Number(env.BENCH_CONNECTIONS ?? 50),
  durationS: Number(env.BENCH_DURATION ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
};
/** Far above what one run can send, so no case measures the rate limiter refusing requests. */
const RAISED_LIMIT = '1000000';

const jwt = { JWT_SECRET: randomBytes(48).toString('base64url'), JWT_ISSUER: 'mm-bench', JWT_AUDIENCE: 'mm-bench-api' };
const PASSWORD = 'bench correct horse battery staple';
const ORDER = JSON.stringify({
  items: [
    { sku: 'BOOK-0042', quantity: 2, unitPriceCents: 1999 },
    { sku: 'PEN-7', quantity: 1, unitPriceCents: 250 },
  ],
});

interface Caller {
  id: string;
  token: string;
}
interface Row extends LoadResult {
  name: string;
  op: 'GET' | 'POST';
  cpuMsPerReq: number;
}
const rows: Row[] = [];
const notes: string[] = [];
const running = new Set<BenchProcess>();

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

async function startProcess(name: string, script: string, port: number, processEnv: Record<string, string>, health = '/health/ready') {
  const nodeArgs = script === ENTRY ? NODE_ARGS : [];
  const p = new BenchProcess(name, script, port, processEnv, join(LOGS, `${name}.log`), health, nodeArgs);
  running.add(p);
  await p.start(READY_TIMEOUT_MS);
  return p;
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
  running.clear();
}

async function json(url: string, init: RequestInit & { expect: number }): Promise<any> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== init.expect)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}, expected ${init.expect}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Registers USERS accounts through the public API, a few at a time (password hashing is deliberately slow). */
async function register(baseUrl: string): Promise<Caller[]> {
  const callers: Caller[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < USERS; i += 4) {
    const batch = Array.from({ length: Math.min(4, USERS - i) }, (_, k) =>
      json(`${baseUrl}/v1/auth/register`, {
        method: 'POST',
        expect: 201,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Bench User ${i + k}`, email: `bench-${run}-${i + k}@example.com`, password: PASSWORD }),
      }),
    );
    for (const grant of await Promise.all(batch)) callers.push({ id: grant.account.id, token: grant.accessToken });
  }
  // Profiles are created from the registration event: every caller must have one before loading.
  for (const c of callers) {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${baseUrl}/v1/users/me`, { headers: { authorization: `Bearer ${c.token}` } });
      if (res.status === 200) break;
      if (attempt > 100) throw new Error(`the profile of ${c.id} did not appear (last status ${res.status})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return callers;
}

/** A request factory cycling through the callers, so the load is spread over USERS accounts. */
function cycle(callers: Caller[], build: (c: Caller) => LoadRequest): () => LoadRequest {
  let n = 0;
  return () => build(callers[n++ % callers.length]);
}

const get =
  (path: (c: Caller) => string) =>
  (c: Caller): LoadRequest => ({
    method: 'GET',
    path: path(c),
    headers: { authorization: `Bearer ${c.token}` },
  });
const post =
  (path: string) =>
  (c: Caller): LoadRequest => ({
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: ORDER,
  });

/** Loads one case; CPU per request is summed over every process of the system under test. */
async function measure(name: string, op: 'GET' | 'POST', baseUrl: string, expect: number, next: () => LoadRequest): Promise<void> {
  // One request first: a case whose requests fail would measure error handling, not the operation.
  const probe = next();
  const res = await fetch(baseUrl + probe.path, { method: probe.method, headers: probe.headers, body: probe.body });
  if (res.status !== expect)
    throw new Error(`${name}: ${probe.method} ${probe.path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  process.stderr.write(`  loading: ${name} (${loadSettings.warmupS} s warm-up + ${loadSettings.durationS} s)\n`);
  const cpu = () => [...running].filter((p) => p.alive).reduce((sum, p) => sum + p.cpuSeconds(), 0);
  let cpuBefore = 0;
  const result = await load(baseUrl, loadSettings, next, () => (cpuBefore = cpu()));
  const requests = result.ok + result.failed;
  rows.push({ name, op, ...result, cpuMsPerReq: requests ? ((cpu() - cpuBefore) * 1000) / requests : NaN });
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
    'bare GET /users/:id',
    'GET',
    server.url,
    200,
    cycle(
      callers,
      get((c) => `/users/${c.id}`),
    ),
  );
  await measure('bare POST /orders', 'POST', server.url, 201, cycle(callers, post('/orders')));
}

async function monolith(): Promise<void> {
  const [port] = await freePorts(1);
  const processEnv = appEnv({ DATABASE_URL, PORT: String(port) });
  const first = await startProcess('monolith', ENTRY, port, processEnv);
  await first.stop();
  // Started again on the migrated database: what a restart or a new replica costs.
  const app = await startProcess('monolith', ENTRY, port, processEnv);
  await new Promise((r) => setTimeout(r, 2000));
  notes.push(
    `monolith on PostgreSQL: ready in ${first.readyMs.toFixed(0)} ms on an empty database (migrations run), ` +
      `${app.readyMs.toFixed(0)} ms with migrations applied; idle RSS ${app.rssMiB().toFixed(0)} MiB`,
  );
  const callers = await register(app.url);
  await measure(
    'monolith GET /v1/users/:id',
    'GET',
    app.url,
    200,
    cycle(
      callers,
      get((c) => `/v1/users/${c.id}`),
    ),
  );
  await measure(
    'monolith GET /v1/users/me',
    'GET',
    app.url,
    200,
    cycle(
      callers,
      get(() => '/v1/users/me'),
    ),
  );
  await measure('monolith POST /v1/orders', 'POST', app.url, 201, cycle(callers, post('/v1/orders')));
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
  const callers = await register(gateway.url);
  await measure(
    `users+auth over ${TRANSPORT_LABELS[transport]}: POST /v1/orders`,
    'POST',
    gateway.url,
    201,
    cycle(callers, post('/v1/orders')),
  );
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

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function report(): void {
  const reference = { GET: rows.find((r) => r.name.startsWith('bare GET')), POST: rows.find((r) => r.name.startsWith('bare POST')) };
  const load1 = loadavg()[0];
  console.log(
    `\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load1.toFixed(2)} at the end; ` +
      `PostgreSQL ${redact(DATABASE_URL)}; autocannon ${loadSettings.connections} connections, ${loadSettings.durationS} s per case ` +
      `after ${loadSettings.warmupS} s warm-up, ${USERS} users; every process on 127.0.0.1.`,
  );
  console.log(
    'server CPU ms/req: user + system CPU of every process of the system under test during the measured' +
      ' seconds, per request answered; it moves far less than req/s when other work shares the machine.',
  );
  console.log(
    `Rate limits raised for the run: RATE_LIMIT=${RAISED_LIMIT} and CREDENTIAL_RATE_LIMIT=${RAISED_LIMIT} per window.` +
      ` Application LOG_LEVEL: ${env.BENCH_LOG_LEVEL ?? 'its default'}. Node flags (the image's CMD first): ` +
      `${NODE_ARGS.join(' ') || 'none'}.` +
      `${env.BENCH_ENTRY ? ` Entry point: ${ENTRY}` : ''}\n`,
  );
  console.log('| case | req/s | p50 ms | p99 ms | req/s vs bare | p99 vs bare | server CPU ms/req | CPU vs bare | failed |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ref = reference[r.op];
    const ratio = ref && ref !== r ? `${((r.reqPerSec / ref.reqPerSec) * 100).toFixed(1)} %` : ref === r ? '100 %' : '-';
    const p99 = ref && ref !== r ? `${(r.p99Ms / ref.p99Ms).toFixed(1)}x` : ref === r ? '1x' : '-';
    const cpu = ref ? `${(r.cpuMsPerReq / ref.cpuMsPerReq).toFixed(1)}x` : '-';
    console.log(
      `| ${r.name} | ${fmt(r.reqPerSec)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${ratio} | ${p99} | ${fmt(r.cpuMsPerReq, 2)} | ${cpu} | ` +
        `${r.failed} |`,
    );
  }
  const mono = rows.find((r) => r.name === 'monolith POST /v1/orders');
  for (const r of rows.filter((x) => x.name.startsWith('users+auth'))) {
    if (mono) console.log(`${r.name}: ${((r.reqPerSec / mono.reqPerSec) * 100).toFixed(1)} % of the monolith's POST /v1/orders`);
  }
  const [tcp, nats] = ['TCP', 'NATS'].map((t) => rows.find((r) => r.name === `users+auth over ${t}: POST /v1/orders`));
  if (tcp && nats) {
    console.log(
      `users+auth over NATS: POST /v1/orders at ${((nats.reqPerSec / tcp.reqPerSec) * 100).toFixed(1)} % of the TCP figure ` +
        `(CPU per request ${(nats.cpuMsPerReq / tcp.cpuMsPerReq).toFixed(2)}x TCP's), same run`,
    );
  }
  for (const n of notes) console.log(n);
  console.log(`Process logs: ${LOGS}`);
}

async function main(): Promise<void> {
  const timer = setTimeout(() => {
    process.stderr.write(`bench:http: still running after ${TIMEOUT_S} s; stopping everything\n`);
    void stopAll().finally(() => process.exit(2));
  }, TIMEOUT_S * 1000);
  timer.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

  process.stderr.write(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  await ensureTestDatabase(DATABASE_URL);
  const systems: Record<string, () => Promise<void>> = {
    bare,
    monolith,
    'users-auth-tcp': () => extracted('tcp'),
    'users-auth-redis': () => extracted('redis'),
    'users-auth-nats': () => extracted('nats'),
    embedded,
  };
  for (const name of SYSTEMS) {
    const system = systems[name];
    if (!system) throw new Error(`BENCH_SYSTEMS names "${name}"; known: ${Object.keys(systems).join(', ')}`);
    process.stderr.write(`${name}\n`);
    await resetTestDatabase(DATABASE_URL);
    try {
      await system();
    } finally {
      await stopAll();
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
