import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import { bearer, freshEmail, register, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { sendWithMetadata } from '../support/call-metadata.js';
import { postJson } from '../support/http-call.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * SIGTERM under steady load. A request is lost when the process accepted it (its handler ran: the
 * process logged it under the request's correlation id) and the caller still got no answer. Every call
 * must end as an answer (2xx, or the documented BUS.UNAVAILABLE refusal for a message that arrived
 * after shutdown began), or as a transport error for something the process never logged, i.e. never
 * accepted. Some calls must have been in flight across the signal and still be answered, otherwise the
 * test proved nothing; and the process must exit 0 with its one shutdown line.
 */
const LOAD_BEFORE_SIGNAL_MS = 1500;
const WORKERS = 6;
const CLOSING_BODY = JSON.stringify({ error: 'Service Unavailable', message: 'Service Unavailable', statusCode: 503 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often the process logged each correlation id as handled (`request completed` or `message handled`). */
function handledCounts(logFile: string, msg: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; correlationId?: string };
    if (entry.msg === msg && entry.correlationId) counts.set(entry.correlationId, (counts.get(entry.correlationId) ?? 0) + 1);
  }
  return counts;
}

/**
 * Correlation ids the process logged as handled. Each call carries its own id, so an id handled twice
 * would mean calls were confused with one another and the loss check below could not be trusted.
 */
function acceptedIds(logFile: string, msg: string): Set<string> {
  const counts = handledCounts(logFile, msg);
  expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
  return new Set(counts.keys());
}

function shutdownLine(logFile: string): Record<string, unknown> | undefined {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((entry) => entry.context === 'Shutdown');
}

/**
 * Runs `call` from WORKERS loops until `stop` resolves, then lets each loop finish its last call. A call
 * that got no answer is followed by a short pause, as any client backs off, which also keeps a loop of
 * instant failures from starving the event loop.
 */
async function steadyLoad<T extends { answered: boolean }>(call: (n: number) => Promise<T>, stop: Promise<unknown>): Promise<T[]> {
  const outcomes: T[] = [];
  let running = true;
  void stop.then(() => (running = false));
  let n = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (running) {
        const outcome = await call(n++);
        outcomes.push(outcome);
        if (!outcome.answered) await sleep(20);
      }
    }),
  );
  return outcomes;
}

describe('SIGTERM under steady load: the monolith', () => {
  let topology: RunningTopology;

  beforeAll(async () => {
    topology = await startTopology('monolith', { label: 'shutdown', env: { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '15000' } });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it('answers every registration it accepted, refuses the rest before accepting them, and exits 0', async () => {
    const app = topology.processes.app;
    let signalledAt = Infinity;
    const exited = sleep(LOAD_BEFORE_SIGNAL_MS).then(() => {
      signalledAt = performance.now();
      return app.kill('SIGTERM', 30_000);
    });
    // Registration hashes a password (tens of milliseconds) and crosses the bus twice: there is always work in flight.
    const outcomes = await steadyLoad(async (n) => {
      const outcome = await postJson(
        topology.baseUrl,
        '/v1/auth/register',
        { name: 'Load Test', email: freshEmail('sigterm'), password: TEST_PASSWORD },
        `sigterm-mono-${n}`,
      );
      return { ...outcome, answered: outcome.status !== undefined };
    }, exited);
    const exit = await exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(shutdownLine(app.logFile)).toMatchObject({ level: 30, signal: 'SIGTERM' });
    const accepted = acceptedIds(app.logFile, 'request completed');
    // Fastify answers a request that reaches a connection while the server closes with its own 503
    // (and `connection: close`) before any hook or handler runs: refused, not accepted.
    const refusedByClosingServer = (o: { status?: number; body?: string }) => o.status === 503 && o.body === CLOSING_BODY;
    const lost = outcomes.filter((o) =>
      o.status === undefined ? accepted.has(o.correlationId) : o.status !== 201 && !refusedByClosingServer(o),
    );
    expect(lost).toEqual([]);
    const inFlightAcrossSignal = outcomes.filter((o) => o.status === 201 && o.startedAt < signalledAt && o.endedAt > signalledAt);
    expect(inFlightAcrossSignal.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 201).length).toBeGreaterThan(0);
  }, 90_000);
});

interface BusOutcome {
  /**
   * In `performance.now()` milliseconds, like the signal's time, so a call answered within the millisecond
   * of the signal still counts as in flight across it.
   */
  startedAt: number;
  endedAt: number;
  correlationId: string;
  ok: boolean;
  /** Whether any reply came back (a result or an error reply). */
  answered: boolean;
  /** The `code` of an error reply, or the transport's error text when there was no reply. */
  code?: string;
  transportError?: string;
}

describe('SIGTERM under steady load: the users core extracted over TCP', () => {
  let topology: RunningTopology;
  let client: ClientProxy;

  beforeAll(async () => {
    topology = await startTopology('users-tcp', { label: 'shutdown', env: { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '15000' } });
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: Number(topology.processes.users.env.USERS_TCP_PORT) },
    });
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await topology?.stop();
  }, 60_000);

  it('answers every message it accepted, refuses later ones with BUS.UNAVAILABLE, and exits 0', async () => {
    const users = topology.processes.users;
    const caller = await register(topology.baseUrl, { name: 'Steady Caller' });
    const send = sendWithMetadata(client);
    const call = async (n: number): Promise<BusOutcome> => {
      const correlationId = `sigterm-users-${n}`;
      const startedAt = performance.now();
      const metadata = { authorization: bearer(caller.accessToken), 'correlation-id': correlationId };
      try {
        await firstValueFrom(send('users.get', { id: caller.userId }, metadata).pipe(timeout(10_000)));
        return { startedAt, endedAt: performance.now(), correlationId, ok: true, answered: true };
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        const reply = typeof code === 'string' && code.includes('.') ? code : undefined;
        // After a refusal a caller backs off, as the bus channel does before it retries.
        if (reply) await sleep(100);
        const transportError = reply ? undefined : String((err as Error)?.message ?? err);
        return {
          startedAt,
          endedAt: performance.now(),
          correlationId,
          ok: false,
          answered: reply !== undefined,
          code: reply,
          transportError,
        };
      }
    };

    let signalledAt = Infinity;
    const exited = sleep(LOAD_BEFORE_SIGNAL_MS).then(() => {
      signalledAt = performance.now();
      return users.kill('SIGTERM', 30_000);
    });
    const outcomes = await steadyLoad(call, exited);
    const exit = await exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(shutdownLine(users.logFile)).toMatchObject({ level: 30, signal: 'SIGTERM' });
    const accepted = acceptedIds(users.logFile, 'message handled');
    const lost = outcomes.filter((o) => !o.ok && (o.transportError ? accepted.has(o.correlationId) : o.code !== 'BUS.UNAVAILABLE'));
    expect(lost).toEqual([]);
    expect(outcomes.filter((o) => o.ok && o.startedAt < signalledAt && o.endedAt > signalledAt).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => !o.ok).length).toBeGreaterThan(0);
  }, 90_000);
});

/** A kept-alive connection written to by hand, recording what the server sent and how it ended. */
class KeptAliveConnection {
  readonly answers: Array<{ at: number; head: string }> = [];
  /** When the server closed the connection (FIN), if it did; `error` when it was reset instead. */
  ended?: number;
  error?: string;
  private readonly socket: Socket;
  private buffer = '';

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\r\n\r\n'); end >= 0; end = this.buffer.indexOf('\r\n\r\n')) {
        const head = this.buffer.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.buffer.length < end + 4 + length) return;
        this.answers.push({ at: performance.now(), head });
        this.buffer = this.buffer.slice(end + 4 + length);
      }
    });
    this.socket.on('end', () => (this.ended = performance.now()));
    this.socket.on('error', (err: NodeJS.ErrnoException) => (this.error = err.code ?? err.message));
  }

  write(text: string): void {
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const status = (head: string) => Number(head.split(' ')[1]);
const header = (head: string, name: string) => new RegExp(`\r\n${name}: *([^\r]*)`, 'i').exec(head)?.[1]?.toLowerCase();
const GET_LIVE = 'GET /health/live HTTP/1.1\r\nhost: localhost\r\n\r\n';

/** One GET on a connection of its own: the status, or the socket error (ECONNREFUSED once nothing listens). */
function probeOnce(url: string): Promise<{ status?: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('SIGTERM with a readiness delay: the monolith leaves its balancer before it stops', () => {
  const DELAY_MS = 1500;
  let topology: RunningTopology;

  beforeAll(async () => {
    topology = await startTopology('monolith', {
      label: 'shutdown-delay',
      env: { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '15000', SHUTDOWN_READINESS_DELAY_MS: String(DELAY_MS) },
    });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it(
    'answers 503 on /health/ready at once, serves on with Connection: close, then closes idle connections cleanly and finishes what ' +
      'is in flight',
    async () => {
      const app = topology.processes.app;
      // Kept alive from before the signal: one stays idle, one carries a request during the delay, and
      // one starts a registration during the delay whose body arrives only after the server stopped accepting.
      const idle = new KeptAliveConnection(app.port);
      const busy = new KeptAliveConnection(app.port);
      const straddling = new KeptAliveConnection(app.port);
      idle.write(GET_LIVE);
      busy.write(GET_LIVE);
      await sleep(300);
      expect([idle, busy].map((c) => header(c.answers[0]?.head ?? '', 'connection'))).toEqual(['keep-alive', 'keep-alive']);

      const signalledAt = performance.now();
      const exited = app.kill('SIGTERM', 30_000);
      await sleep(150);
      const ready = await probeOnce(`${app.url}/health/ready`);
      const readyAt = performance.now() - signalledAt;
      const live = await probeOnce(`${app.url}/health/live`);
      const registered = await postJson(
        topology.baseUrl,
        '/v1/auth/register',
        { name: 'Late Arrival', email: freshEmail('delay'), password: TEST_PASSWORD },
        'delay-during',
      );
      busy.write(GET_LIVE);
      const body = JSON.stringify({ name: 'Straddling', email: freshEmail('straddle'), password: TEST_PASSWORD });
      straddling.write(
        `POST /v1/auth/register HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ` +
          `${body.length}\r\n\r\n${body.slice(0, 10)}`,
      );

      // Wait for the delay to end: from then on nothing accepts new connections.
      let refusedAt = NaN;
      while (performance.now() - signalledAt < DELAY_MS + 5000) {
        if ((await probeOnce(`${app.url}/health/live`)).error === 'ECONNREFUSED') {
          refusedAt = performance.now() - signalledAt;
          break;
        }
        await sleep(25);
      }
      straddling.write(body.slice(10));
      const exit = await exited;
      const exitedAt = performance.now() - signalledAt;
      await sleep(100);
      const after = (c: KeptAliveConnection) => ({
        answers: c.answers.map((a) => `${status(a.head)} ${header(a.head, 'connection')}`),
        ended: c.ended !== undefined,
        error: c.error,
      });
      process.stdout.write(
        `\n[shutdown delay ${DELAY_MS} ms] ready ${ready.status} at ${readyAt.toFixed(0)} ms; refused new connections from ` +
          `${refusedAt.toFixed(0)} ms; ` +
          `idle kept-alive connection closed at ${((idle.ended ?? NaN) - signalledAt).toFixed(0)} ms; exited ${exit.code} at ` +
          `${exitedAt.toFixed(0)} ms\n`,
      );

      expect(exit).toEqual({ code: 0, signal: null });
      expect(ready).toEqual({ status: 503, connection: 'close' });
      expect(readyAt).toBeLessThan(DELAY_MS);
      // Still serving: probes and the API answer as usual, each closing its connection.
      expect(live).toEqual({ status: 200, connection: 'close' });
      expect(registered.status).toBe(201);
      expect(refusedAt).toBeGreaterThanOrEqual(DELAY_MS);
      // The connection that carried a request during the delay got its answer with `Connection: close`,
      // and the server closed it after that answer, cleanly.
      expect(after(busy)).toEqual({ answers: ['200 keep-alive', '200 close'], ended: true, error: undefined });
      // The idle one was closed cleanly (FIN, no reset) only once the delay was over.
      expect(after(idle)).toEqual({ answers: ['200 keep-alive'], ended: true, error: undefined });
      expect(idle.ended! - signalledAt).toBeGreaterThanOrEqual(DELAY_MS);
      // In flight when the server stopped accepting: answered in full, with `Connection: close`.
      expect(after(straddling)).toEqual({ answers: ['201 close'], ended: true, error: undefined });
      expect(straddling.answers[0].at - signalledAt).toBeGreaterThan(refusedAt);
      for (const c of [idle, busy, straddling]) c.destroy();
    },
    90_000,
  );
});
