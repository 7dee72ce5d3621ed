import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * HAProxy in front of some of a test's processes, as a team would put it in front of its replicas: on
 * loopback only, health-checking each backend's `GET /health/ready`, keeping connections to the
 * backends alive and reusing them, and retrying a request on another backend only when that cannot
 * run it twice. Needs the `haproxy` binary (Debian: `apt-get install haproxy`; `.ci/run` installs it),
 * found on PATH, in /usr/sbin, or at HAPROXY_BIN.
 */
export interface BalancerBackend {
  /** The server's name in HAProxy (letters, digits, `-`, `_`, `.`). */
  name: string;
  port: number;
}

export interface BalancerOptions {
  backends: BalancerBackend[];
  /** HAProxy's own log (its start-up messages, one line per request, health check changes). */
  logFile: string;
  /** How often each backend's readiness is checked. */
  checkIntervalMs?: number;
  /** Consecutive failed checks after which a backend is taken out (a leaving one answers 503 at once). */
  fall?: number;
  /** Passed checks after which a backend that was out is sent requests again. */
  rise?: number;
}

/** A backend as HAProxy sees it: `UP`, `DOWN`, `MAINT`, or a transition such as `UP 1/2`. */
export type BackendStatus = string;

const BACKEND = 'app';
/** One request of `option httplog`: status, termination state, retries (`+` when redispatched). */
const REQUEST_LINE = /^\S+ \[[^\]]+\] \S+ \S+ \S+ (-?\d+) \S+ \S+ \S+ (\S{4}) \d+\/\d+\/\d+\/\d+\/(\+?\d+) \d+\/\d+ "/;

/** The generated configuration; exported so a spec can print or check it. */
export function haproxyConfig(options: BalancerOptions & { port: number; adminSocket: string }): string {
  const { checkIntervalMs = 500, fall = 2, rise = 2 } = options;
  for (const b of options.backends) if (!/^[\w.-]+$/.test(b.name)) throw new Error(`Bad backend name "${b.name}"`);
  return `global
  nbthread 1
  maxconn 2000
  stats socket ${options.adminSocket} mode 600 level admin
  log stdout format raw local0 info

defaults
  mode http
  log global
  option httplog
  option log-health-checks
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
  # A check the backend is slow to answer (it is busy, not leaving) does not take it out on its own.
  timeout check ${Math.max(checkIntervalMs, 2000)}ms

frontend api
  bind 127.0.0.1:${options.port}
  default_backend ${BACKEND}

backend ${BACKEND}
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  default-server check inter ${checkIntervalMs}ms fastinter ${checkIntervalMs}ms downinter ${checkIntervalMs}ms fall ${fall} rise ${rise}
  # Idle connections to the backends are kept and any request may go over one ("always" reuses the
  # most): exactly where a stopping backend that closed a connection under a request would lose it.
  http-reuse always
  # A request that could not be sent (connection refused or failed) is tried again, each time on
  # another backend. One that was sent and met a closed connection with no answer (empty-response) may
  # have run: it is tried again only if running it twice changes nothing, i.e. its method is idempotent
  # (RFC 9110) or it is a POST carrying an Idempotency-Key, which the API answers once per key.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
  http-request disable-l7-retry unless { method GET HEAD OPTIONS PUT DELETE TRACE } || { method POST } { req.hdr(idempotency-key) -m found }
${options.backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`).join('\n')}
`;
}

/** The haproxy binary: HAPROXY_BIN, else the first `haproxy` on PATH or in /usr/sbin. */
export function haproxyBinary(): string {
  const explicit = process.env.HAPROXY_BIN?.trim();
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].filter(Boolean).map((dir) => join(dir, 'haproxy'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error('haproxy is not installed (Debian: apt-get install -y haproxy; or set HAPROXY_BIN). `.ci/run` installs it.');
}

export class Balancer {
  readonly url: string;
  private exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly config: string,
    readonly logFile: string,
    private readonly adminSocket: string,
    private readonly workDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Each backend's status, as HAProxy's `show stat` reports it. */
  async statuses(): Promise<Record<string, BackendStatus>> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv
      .replace(/^# /, '')
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const col = (name: string) => header.indexOf(name);
    const out: Record<string, BackendStatus> = {};
    for (const row of rows) {
      if (row[col('pxname')] === BACKEND && !['FRONTEND', 'BACKEND'].includes(row[col('svname')]))
        out[row[col('svname')]] = row[col('status')];
    }
    return out;
  }

  /** Resolves once HAProxy reports `backend` as `status` (`UP` or `DOWN`), with the time it took. */
  async waitStatus(backend: string, status: 'UP' | 'DOWN', timeoutMs = 30_000, pollMs = 50): Promise<number> {
    const started = performance.now();
    let last = 'unknown';
    while (performance.now() - started < timeoutMs) {
      last = (await this.statuses())[backend] ?? 'missing';
      if (last === status) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`HAProxy did not report ${backend} ${status} within ${timeoutMs} ms (last: ${last}).\n${this.logTail()}`);
  }

  /** One command on HAProxy's admin socket (management guide, "Unix Socket commands"). */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.adminSocket);
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.end(`${line}\n`);
    });
  }

  /**
   * What HAProxy's request log (`option httplog`) says about the requests it passed on: how many, with
   * which status, how many it had to retry (a connection to a backend failed) or redispatch to another
   * backend, and how many ended abnormally (termination state other than `----`, e.g. `SH--`: the
   * backend closed the connection before answering).
   */
  requestLog(): { requests: number; byStatus: Record<string, number>; retried: number; redispatched: number; abnormal: string[] } {
    const summary = { requests: 0, byStatus: {} as Record<string, number>, retried: 0, redispatched: 0, abnormal: [] as string[] };
    for (const line of readFileSync(this.logFile, 'utf8').split('\n')) {
      const m = REQUEST_LINE.exec(line);
      if (!m) continue;
      const [, status, termination, retries] = m;
      summary.requests += 1;
      summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
      if (retries !== '0') summary.retried += 1;
      if (retries.startsWith('+')) summary.redispatched += 1;
      if (termination !== '----') summary.abnormal.push(line);
    }
    return summary;
  }

  logTail(lines = 30): string {
    const all = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
    return `--- last ${lines} lines of ${this.logFile} ---\n${all.slice(-lines).join('\n')}\n--- end of HAProxy log ---`;
  }

  /** Stops HAProxy at once (SIGTERM: its hard stop) and removes its working directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/**
 * Writes a configuration for `options.backends`, checks it (`haproxy -c`), starts HAProxy in the
 * foreground on a free loopback port, and resolves once its admin socket answers. Backends need not be
 * up yet: HAProxy marks them down until their readiness passes.
 */
export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  const binary = haproxyBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'mm-haproxy-'));
  const adminSocket = join(workDir, 'admin.sock');
  const port = await freePort();
  const config = haproxyConfig({ ...options, port, adminSocket });
  const configFile = join(workDir, 'haproxy.cfg');
  writeFileSync(configFile, config);
  try {
    execFileSync(binary, ['-c', '-q', '-f', configFile], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`HAProxy refused the generated configuration:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}\n${config}`, {
      cause: err,
    });
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  writeFileSync(options.logFile, '');
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    // -db: stay in the foreground, so the test owns the process and its log.
    child = spawn(binary, ['-db', '-f', configFile], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  stopOnExit.add(child);
  child.once('exit', () => stopOnExit.delete(child));
  const balancer = new Balancer(child, port, config, options.logFile, adminSocket, workDir);
  const deadline = performance.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`HAProxy exited with code ${child.exitCode}.\n${balancer.logTail()}`);
    try {
      await balancer.statuses();
      return balancer;
    } catch (err) {
      if (performance.now() > deadline) {
        await balancer.stop();
        throw new Error(`HAProxy's admin socket did not answer within 10 s: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Every HAProxy still running, so none outlives the test runner if a suite forgets to stop it. */
const stopOnExit = new Set<ChildProcess>();
process.once('exit', () => stopOnExit.forEach((child) => child.kill('SIGKILL')));
