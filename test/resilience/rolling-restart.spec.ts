import { randomUUID } from 'node:crypto';
import type { AppProcess } from '../support/app-process.js';
import { bearer, freshEmail, TEST_PASSWORD, type Session } from '../support/auth-fixtures.js';
import { type BalancedMonoliths, type PlacedOrder, startBalancedMonoliths } from '../support/balanced-monoliths.js';
import type { Balancer } from '../support/balancer.js';
import { KeepAliveClient, pacedLoad, percentile, type LoadOutcome } from '../support/paced-load.js';
import { sleep } from '../support/waiting.js';

/**
 * A rolling restart behind a real load balancer. Two monoliths on one PostgreSQL behind HAProxy, which
 * checks `/health/ready` every 500 ms; a steady load through HAProxy for the whole test (reads, orders
 * placed with an Idempotency-Key, profile updates, registrations) over kept-alive connections; each
 * monolith stopped with SIGTERM, started again with the same environment and port, and let back in by
 * HAProxy, in turn, twice. A client must never see the restarts: no 5xx, no 429, no connection error,
 * and every order answered 201 is there afterwards.
 */
const RATE_PER_SECOND = 80;
const CHECK_INTERVAL_MS = 500;
/**
 * HAProxy takes a backend out after two failed checks (fall 2, one check every 500 ms): at most about
 * 1 s after the signal. The delay leaves as much again and more for a machine too busy to check on time.
 */
const READINESS_DELAY_MS = 2500;
const BEFORE_MS = 8000;
const BETWEEN_RESTARTS_MS = 1500;
const AFTER_MS = 8000;
const ROUNDS = 2;
const SESSIONS = 16;

const EXPECTED: Record<string, number> = {
  read: 200,
  'list-orders': 200,
  'place-order': 201,
  'update-profile': 200,
  register: 201,
  'read-new-profile': 200,
};
/**
 * A new account reads its profile at once, possibly through the other process. The profile is made by
 * the users core when `auth.account-registered` reaches it, and registration waits for that only up to
 * EVENTS_SETTLE_MS ("normally visible everywhere by then"): while relay leadership moves from a stopping
 * process to the other, nobody delivers for up to 2 s, and the read can answer 404 USERS.NOT_FOUND.
 * That answer is counted and printed apart; any other failure of the read counts like the rest.
 */
const EVENTUAL = (o: LoadOutcome) => o.op === 'read-new-profile' && o.status === 404 && o.code === 'USERS.NOT_FOUND';

interface RestartTiming {
  process: string;
  /** When SIGTERM was sent, from the start of the load. */
  signalledAt: number;
  /** From SIGTERM until HAProxy reported the backend DOWN. */
  downMs: number;
  /** From SIGTERM until the process had exited. */
  exitMs: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** From the new spawn until /health/ready answered 200. */
  readyMs: number;
  /** From ready until HAProxy reported the backend UP again. */
  upMs: number;
}

describe('rolling restart behind HAProxy', () => {
  let deployment: BalancedMonoliths | undefined;
  let monoliths: AppProcess[] = [];
  let balancer: Balancer | undefined;
  let client: KeepAliveClient | undefined;
  let sessions: Session[] = [];
  let seedOrders: PlacedOrder[] = [];

  beforeAll(async () => {
    deployment = await startBalancedMonoliths({
      label: 'rolling-restart',
      env: { SHUTDOWN_READINESS_DELAY_MS: String(READINESS_DELAY_MS), SHUTDOWN_GRACE_MS: '15000' },
      sessions: SESSIONS,
      checkIntervalMs: CHECK_INTERVAL_MS,
    });
    ({ monoliths, balancer, client, sessions, seedOrders } = deployment);
  }, 240_000);

  afterAll(() => deployment?.stop(), 60_000);

  it('loses no request and no order while each monolith is restarted in turn, twice', async () => {
    const lb = balancer!;
    const api = client!;
    const placed: PlacedOrder[] = [];
    /** Access tokens of new accounts whose profile was not there yet when read at once. */
    const lateProfiles: string[] = [];
    let phase = 'before';

    const op = async (n: number): Promise<LoadOutcome[]> => {
      const owner = sessions[n % sessions.length];
      const auth = { authorization: bearer(owner.accessToken) };
      const slot = n % 20;
      const run = async (name: string, method: string, path: string, body?: object, headers: Record<string, string> = {}) => {
        const startedAt = performance.now();
        const at = phase;
        const answer = await api.call(method, path, body, { ...auth, ...headers });
        return {
          outcome: { op: name, phase: at, startedAt, endedAt: performance.now(), status: answer.status, error: answer.error },
          answer,
        };
      };
      if (slot < 6) return [(await run('read', 'GET', '/v1/users/me')).outcome];
      if (slot < 9) {
        const known = seedOrders[n % seedOrders.length];
        return [
          (await run('read', 'GET', `/v1/orders/${known.id}`, undefined, { authorization: bearer(known.owner.accessToken) })).outcome,
        ];
      }
      if (slot < 10) return [(await run('list-orders', 'GET', '/v1/orders?limit=5')).outcome];
      if (slot < 15) {
        const { outcome, answer } = await run(
          'place-order',
          'POST',
          '/v1/orders',
          { items: [{ sku: `LOAD-${n}`, quantity: 1 + (n % 3), unitPriceCents: 250 }] },
          { 'idempotency-key': randomUUID() },
        );
        if (answer.status === 201) placed.push({ id: answer.body.id, owner, body: answer.body });
        return [outcome];
      }
      if (slot < 19) return [(await run('update-profile', 'PATCH', `/v1/users/${owner.userId}`, { name: `Steady Customer ${n}` })).outcome];
      // A registration, then the new account reads its profile at once (see EVENTUAL).
      const startedAt = performance.now();
      const at = phase;
      const registered = await api.call('POST', '/v1/auth/register', {
        name: 'New Customer',
        email: freshEmail('rolling'),
        password: TEST_PASSWORD,
      });
      const outcomes: LoadOutcome[] = [
        { op: 'register', phase: at, startedAt, endedAt: performance.now(), status: registered.status, error: registered.error },
      ];
      if (registered.status === 201) {
        const meStarted = performance.now();
        const me = await api.call('GET', '/v1/users/me', undefined, { authorization: bearer(registered.body.accessToken) });
        outcomes.push({
          op: 'read-new-profile',
          phase: at,
          startedAt: meStarted,
          endedAt: performance.now(),
          status: me.status,
          error: me.error,
          code: me.body?.code,
        });
        if (me.status === 404) lateProfiles.push(registered.body.accessToken);
      }
      return outcomes;
    };

    let stopLoad!: () => void;
    const loadStopped = new Promise<void>((resolve) => (stopLoad = resolve));
    const loadStarted = performance.now();
    const load = pacedLoad(RATE_PER_SECOND, op, loadStopped);

    const restarts: RestartTiming[] = [];
    try {
      await sleep(BEFORE_MS);
      phase = 'during';
      for (let round = 0; round < ROUNDS; round++) {
        for (const monolith of monoliths) {
          const signalled = performance.now();
          const exited = monolith.kill('SIGTERM', 30_000);
          const downMs = await lb.waitStatus(monolith.name, 'DOWN', 30_000, 20);
          const exit = await exited;
          const exitMs = performance.now() - signalled;
          const spawned = performance.now();
          await monolith.start();
          const readyMs = performance.now() - spawned;
          const upMs = await lb.waitStatus(monolith.name, 'UP', 30_000, 20);
          restarts.push({ process: monolith.name, signalledAt: signalled - loadStarted, downMs, exitMs, exit, readyMs, upMs });
          await sleep(BETWEEN_RESTARTS_MS);
        }
      }
      phase = 'after';
      await sleep(AFTER_MS);
    } finally {
      stopLoad();
    }
    const outcomes = await load;
    const seconds = (performance.now() - loadStarted) / 1000;

    // Every order answered 201 is there, as it was answered, for its owner.
    const missing: Array<{ id: string; status?: number; error?: string }> = [];
    for (const order of placed) {
      const read = await api.call('GET', `/v1/orders/${order.id}`, undefined, { authorization: bearer(order.owner.accessToken) });
      if (read.status !== 200 || JSON.stringify(read.body) !== JSON.stringify(order.body))
        missing.push({ id: order.id, status: read.status, error: read.error });
    }

    // A profile that was late is there now: the event that makes it was delivered, once the relay moved.
    const stillMissing: number[] = [];
    for (const token of lateProfiles) {
      let status: number | undefined;
      for (let tries = 0; tries < 50 && status !== 200; tries++) {
        if (tries) await sleep(100);
        status = (await api.call('GET', '/v1/users/me', undefined, { authorization: bearer(token) })).status;
      }
      if (status !== 200) stillMissing.push(status ?? 0);
    }

    const relative = outcomes.map((o) => ({ ...o, startedAt: o.startedAt - loadStarted, endedAt: o.endedAt - loadStarted }));
    const unexpected = relative.filter((o) => o.status !== EXPECTED[o.op] && !EVENTUAL(o));
    const haproxy = lb.requestLog();
    process.stdout.write(
      `\n${report(relative, restarts, placed.length, missing.length, seconds, unexpected)}\n` +
        `  HAProxy passed on ${haproxy.requests} requests (load, set-up and checks of the orders): ${JSON.stringify(haproxy.byStatus)}; ` +
        `retried ${haproxy.retried} (redispatched ${haproxy.redispatched}), ended abnormally ${haproxy.abnormal.length}\n` +
        `  log: ${lb.logFile}\n`,
    );

    expect(restarts.map((r) => r.exit)).toEqual(restarts.map(() => ({ code: 0, signal: null })));
    // HAProxy stopped sending to each process before it stopped accepting; otherwise this proved nothing.
    expect(restarts.filter((r) => r.downMs >= READINESS_DELAY_MS)).toEqual([]);
    expect(outcomes.filter((o) => o.phase === 'during').length).toBeGreaterThan(RATE_PER_SECOND * 10);
    expect(unexpected.map(describeOutcome)).toEqual([]);
    expect(haproxy.abnormal).toEqual([]);
    // Not even HAProxy met a refused or cut connection: every backend was out of rotation before it stopped accepting.
    expect(haproxy.retried).toBe(0);
    expect(placed.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(stillMissing).toEqual([]);
  }, 300_000);
});

function describeOutcome(o: LoadOutcome): string {
  return `${o.op} in ${o.phase} at ${(o.startedAt / 1000).toFixed(2)} s: ${o.status ?? o.error}${o.code ? ` ${o.code}` : ''}`;
}

function report(
  outcomes: LoadOutcome[],
  restarts: RestartTiming[],
  placed: number,
  missing: number,
  seconds: number,
  unexpected: LoadOutcome[],
): string {
  const count = <T>(items: T[], key: (item: T) => string) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  };
  const lines = [
    `[rolling restart] ${outcomes.length} requests in ${seconds.toFixed(1)} s (${(outcomes.length / seconds).toFixed(1)}/s) through ` +
      `HAProxy to 2 monoliths`,
    `  answers by status: ${count(outcomes, (o) => String(o.status ?? o.error))}`,
    `  by operation and status: ${count(outcomes, (o) => `${o.op} ${o.status ?? o.error}`)}`,
    `  outside the expected statuses: ${unexpected.length}; orders answered 201: ${placed}, not readable afterwards: ${missing}`,
    `  new accounts whose profile was not there yet when read at once (404 USERS.NOT_FOUND): ${outcomes.filter(EVENTUAL).length}` +
      (outcomes.some(EVENTUAL)
        ? `, at ${outcomes
            .filter(EVENTUAL)
            .map((o) => `${(o.startedAt / 1000).toFixed(1)} s`)
            .join(', ')}`
        : ''),
  ];
  const latencies = (phase: string, keep: (o: LoadOutcome) => boolean) => {
    const took = outcomes.filter((o) => o.phase === phase && keep(o)).map((o) => o.endedAt - o.startedAt);
    return (
      `${String(took.length).padStart(5)} requests, p50 ${percentile(took, 50).toFixed(1)} ms, p99 ` +
      `${percentile(took, 99).toFixed(1)} ms, max ${Math.max(...took).toFixed(1)} ms`
    );
  };
  for (const phase of ['before', 'during', 'after']) {
    lines.push(
      `  ${phase.padEnd(6)}: ${latencies(phase, () => true)}; without registrations: ${latencies(phase, (o) => o.op !== 'register')}`,
    );
  }
  for (const r of restarts) {
    lines.push(
      `  restart ${r.process} at ${(r.signalledAt / 1000).toFixed(1)} s: HAProxy saw it DOWN ${r.downMs.toFixed(0)} ms after SIGTERM, ` +
        `exited ${describeExit(r.exit)} after ${r.exitMs.toFixed(0)} ms, ready ${r.readyMs.toFixed(0)} ms after spawn, UP in HAProxy ` +
        `${r.upMs.toFixed(0)} ms after ready`,
    );
  }
  return lines.join('\n');
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `on ${exit.signal}` : `with code ${exit.code}`;
}
