/**
 * Bus overhead: a direct method call vs a round trip over the in-process bus, NestJS TCP on loopback
 * and NestJS Redis (REDIS_URL, default redis://127.0.0.1:6379). Run with `npm run bench`.
 * BENCH_ROUND_TRIPS / BENCH_REMOTE_ROUND_TRIPS set the counts (0 remote leaves TCP and Redis out),
 * BENCH_WARMUP_MS the warm-up before each measurement (default 1000), BENCH_STEP_ROUND_TRIPS the round
 * trips of each row of the second table (default 20000): a call to a module core with one more of the
 * core's steps per row (packet metadata, payload validation, the identity check, the listener's hooks).
 */
import 'reflect-metadata';
import { Injectable, Module, UseGuards } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { MessagePattern, Payload, ServerRedis, ServerTCP } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { BusChannel } from '../src/common/messaging/bus-channel.js';
import { carryRequestContext } from '../src/common/messaging/channel.registry.js';
import { InProcessClient } from '../src/common/messaging/in-process.client.js';
import { InProcessServer } from '../src/common/messaging/in-process.server.js';
import { MessageHandlers } from '../src/common/messaging/message-handlers.decorator.js';
import { RedisRequestClient } from '../src/common/messaging/redis.client.js';
import { createClientProxy, redisOptions } from '../src/common/messaging/transports.factory.js';
import { readBusSettings } from '../src/common/config/settings.js';
import { RequestContextStore } from '../src/common/context/request-context.js';
import { Caller, IdentityGuard } from '../src/common/identity/identity.guard.js';
import type { Identity } from '../src/common/identity/identity.js';
import { IdentityModule } from '../src/common/identity/identity.module.js';
import { observeServer } from '../src/common/observability/observe.hooks.js';
import { GetUserRequest, type UserReply } from '../src/modules/users/index.js';
import { median } from './http/report.js';

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 5000);
const REMOTE_ROUND_TRIPS = Number(process.env.BENCH_REMOTE_ROUND_TRIPS ?? 2000);
const CONCURRENCY = 32;
/** Each path runs this long before it is measured, so the figures are of code the JIT has finished optimising. */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const payload = { id: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b', name: 'Ada Lovelace', email: 'ada@example.com' };

@Injectable()
class EchoService {
  async echo(p: typeof payload) {
    return { ...p, createdAt: '2026-01-01T12:00:00.000Z' };
  }
}

@MessageHandlers()
class EchoHandlers {
  constructor(private readonly service: EchoService) {}

  @MessagePattern('bench.echo')
  echo(@Payload() p: typeof payload) {
    return this.service.echo(p);
  }
}

const user: UserReply = {
  id: payload.id,
  name: payload.name,
  email: payload.email,
  createdAt: '2026-01-01T12:00:00.000Z',
  updatedAt: '2026-01-01T12:00:00.000Z',
};

/**
 * The steps a module core adds to a call, one at a time, on `users.get`'s request and reply (the
 * reply is a constant: no database): its payload validated as the real request class, then the
 * caller's token checked (IdentityGuard, read with @Caller) as the users core does.
 */
@MessageHandlers()
class CoreStepHandlers {
  @MessagePattern('bench.validated')
  validated(@Payload() request: GetUserRequest): UserReply {
    return { ...user, id: request.id };
  }

  @MessagePattern('bench.guarded')
  @UseGuards(IdentityGuard)
  guarded(@Payload() request: GetUserRequest, @Caller() caller: Identity): UserReply {
    return { ...user, id: caller.kind === 'user' ? caller.userId : request.id };
  }
}

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true }), IdentityModule.checkedElsewhere()],
  controllers: [EchoHandlers, CoreStepHandlers],
  providers: [EchoService],
})
class BenchModule {}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

interface Result {
  name: string;
  n: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  opsPerSec: number;
  cpuUs: number;
}

/** CPU time (user + system) this process spent, in µs: unlike wall time, it does not grow while other processes hold the CPUs. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function warmUp(call: () => Promise<unknown>): Promise<void> {
  const until = performance.now() + WARMUP_MS;
  while (performance.now() < until) await call();
}

async function sequential(name: string, n: number, call: () => Promise<unknown>): Promise<Result> {
  await warmUp(call);
  const samples = new Float64Array(n);
  const cpu0 = cpuNow();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  const totalUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpuUs = (cpuNow() - cpu0) / n;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    n,
    meanUs: totalUs / n,
    p50Us: sorted[Math.floor(n * 0.5)],
    p99Us: sorted[Math.floor(n * 0.99)],
    opsPerSec: Math.round((n / totalUs) * 1e6),
    cpuUs,
  };
}

async function concurrent(name: string, n: number, call: () => Promise<unknown>, warm = true): Promise<Result> {
  if (warm) await warmUp(call);
  const cpu0 = cpuNow();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await call();
    }),
  );
  const totalUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpuUs = (cpuNow() - cpu0) / n;
  return {
    name: `${name} (${CONCURRENCY} in flight)`,
    n,
    meanUs: totalUs / n,
    p50Us: NaN,
    p99Us: NaN,
    opsPerSec: Math.round((n / totalUs) * 1e6),
    cpuUs,
  };
}

async function main(): Promise<void> {
  const settings = readBusSettings(process.env);
  const tcpPort = await freePort();
  const app = await NestFactory.create(BenchModule, new FastifyAdapter(), { logger: ['error'] });
  app.connectMicroservice({ strategy: new InProcessServer('local') });
  // As the application's bootstrap sets up the in-process listener: every message inside its request
  // context and span, counted, its line not built (the process's request line already has it).
  const observed = new InProcessServer('local-observed');
  observeServer(observed, 'none');
  app.connectMicroservice({ strategy: observed });
  app.connectMicroservice({ strategy: new ServerTCP({ host: '127.0.0.1', port: tcpPort }) });
  const withRedis = process.env.BENCH_SKIP_REDIS !== 'true';
  if (withRedis) app.connectMicroservice({ strategy: new ServerRedis(redisOptions(REDIS_URL)) });
  await app.startAllMicroservices();
  await app.init();

  const service = app.get(EchoService);
  const local = new BusChannel('bench', new InProcessClient('local'), settings, 'local');
  const tcp = new BusChannel(
    'bench',
    createClientProxy({ name: 'bench', transport: 'tcp', tcp: { host: '127.0.0.1', port: tcpPort }, redisUrl: REDIS_URL, natsUrl: '' }),
    settings,
    'tcp',
  );
  const redis = withRedis
    ? new BusChannel('bench', new RedisRequestClient('', redisOptions(REDIS_URL)) as never, settings, 'redis')
    : undefined;

  const steps = await coreSteps(app.get(JwtService), settings);

  const results: Result[] = [];
  results.push(await sequential('direct method call', ROUND_TRIPS, () => service.echo(payload)));
  results.push(await sequential('in-process bus round trip', ROUND_TRIPS, () => local.send('bench.echo', payload)));
  results.push(await concurrent('in-process bus', ROUND_TRIPS, () => local.send('bench.echo', payload)));
  if (REMOTE_ROUND_TRIPS > 0) {
    results.push(await sequential('TCP round trip (loopback)', REMOTE_ROUND_TRIPS, () => tcp.send('bench.echo', payload)));
    results.push(await concurrent('TCP', REMOTE_ROUND_TRIPS, () => tcp.send('bench.echo', payload)));
  }
  if (redis && REMOTE_ROUND_TRIPS > 0) {
    results.push(await sequential('Redis round trip (loopback)', REMOTE_ROUND_TRIPS, () => redis.send('bench.echo', payload)));
    results.push(await concurrent('Redis', REMOTE_ROUND_TRIPS, () => redis.send('bench.echo', payload)));
  }

  const fmt = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
  console.log(
    `node ${process.version}, ${ROUND_TRIPS} local / ${REMOTE_ROUND_TRIPS} remote round trips after ${WARMUP_MS} ms of warm-up per ` +
      `path, payload ${JSON.stringify(payload).length} B`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs: on a busy machine mean and p99 ` +
      'include time the process waited for a CPU; CPU µs per call (this process, user + system) does not',
  );
  console.log('| path | n | mean µs | p50 µs | p99 µs | CPU µs/call | ops/s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(`| ${r.name} | ${r.n} | ${fmt(r.meanUs)} | ${fmt(r.p50Us)} | ${fmt(r.p99Us)} | ${fmt(r.cpuUs)} | ${r.opsPerSec} |`);
  console.log(
    `\nThe steps of a call to a module core, one added per row (in-process, ${CONCURRENCY} in flight, ` +
      `${STEP_ROUND_TRIPS} round trips per row and repeat, median CPU µs per call over ${STEP_REPEATS} interleaved repeats):`,
  );
  console.log('| step | CPU µs/call | added by the step |');
  console.log('|---|---:|---:|');
  steps.forEach((step, i) =>
    console.log(`| ${step.name} | ${fmt(step.cpuUs)} | ${i === 0 ? '-' : fmt(step.cpuUs - steps[i - 1].cpuUs)} |`),
  );
  const rss = process.memoryUsage().rss / 1024 / 1024;
  console.log(`rss after run: ${rss.toFixed(0)} MiB`);

  await Promise.all([local.close(), tcp.close(), redis?.close()]);
  await app.close();
}

const STEP_ROUND_TRIPS = Number(process.env.BENCH_STEP_ROUND_TRIPS ?? 20_000);
const STEP_REPEATS = 5;

interface Step {
  name: string;
  cpuUs: number;
}

/**
 * CPU per call of the in-process bus as the application uses it, one step of the core's work added per
 * row, each row measured STEP_REPEATS times in turn with the others so a change of the machine's speed
 * spreads over every row. All calls run inside a request context with a user's access token, as an
 * HTTP request's calls do.
 */
async function coreSteps(jwt: JwtService, settings: ReturnType<typeof readBusSettings>): Promise<Step[]> {
  const channel = (server: string, withMetadata: boolean) => {
    const client = new InProcessClient(server);
    // As the application's channels do: correlation id, credential, trace context.
    if (withMetadata) carryRequestContext(client);
    return new BusChannel('bench', client, settings, 'local');
  };
  const bare = channel('local', false);
  const local = channel('local', true);
  const observed = channel('local-observed', true);
  const token = jwt.sign({ sub: payload.id, token_use: 'access', role: 'user', ver: 1, exp: Math.floor(Date.now() / 1000) + 3600 });
  const request = { id: payload.id };
  const rows: Array<{ name: string; call: () => Promise<unknown> }> = [
    { name: 'echo: a payload nothing validates (the row above)', call: () => bare.send('bench.echo', payload) },
    { name: '+ packet metadata (correlation id, credential, trace context)', call: () => local.send('bench.echo', payload) },
    { name: "+ the payload validated as users.get's request class", call: () => local.send('bench.validated', request) },
    { name: "+ the caller's token checked (IdentityGuard, @Caller)", call: () => local.send('bench.guarded', request) },
    { name: "+ the listener's processing hooks (request context, span, metric)", call: () => observed.send('bench.guarded', request) },
  ];
  const context = { correlationId: 'bench-correlation-id', authorization: `Bearer ${token}` };
  const samples = rows.map(() => [] as number[]);
  for (let repeat = 0; repeat < STEP_REPEATS; repeat++) {
    for (const [i, row] of rows.entries()) {
      // Each row is warmed up once, in the first repeat; later repeats find its code already optimised.
      const result = await RequestContextStore.run(context, () => concurrent(row.name, STEP_ROUND_TRIPS, row.call, repeat === 0));
      samples[i].push(result.cpuUs);
    }
  }
  await Promise.all([bare.close(), local.close(), observed.close()]);
  return rows.map((row, i) => ({ name: row.name, cpuUs: median(samples[i]) }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
