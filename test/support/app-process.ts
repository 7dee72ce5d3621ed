import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_WORKERS_LISTENING, readWorkerSettings } from '../../src/workers.js';

/** The repository root: every process runs the built entry point from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ENTRY_POINT = join(PROJECT_ROOT, 'dist', 'main.js');

/** How long a process may take from spawn to a 200 on /health/ready (overridable for slow machines). */
export const READY_TIMEOUT_MS = Number(process.env.E2E_READY_TIMEOUT_MS ?? 60_000);

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcessOptions {
  /** A name for messages and the log file, e.g. `users` or `gateway`. */
  name: string;
  /** The complete environment of the process; nothing is inherited beyond what this holds. */
  env: Record<string, string>;
  /** The HTTP port the process serves /health on (its PORT). */
  port: number;
  /** Where stdout and stderr go; restarts append to the same file. */
  logFile: string;
}

/**
 * The variables of the test runner's own environment a child needs to run at all, and V8's compile
 * cache (as `npm start` uses), so the many processes the suites start do not each compile the same
 * code again: a start on the 2-core machine took 3.0-3.3 s without it, 1.9 s with it.
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { NODE_COMPILE_CACHE: join(PROJECT_ROOT, '.tmp', 'compile-cache-test') };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'NODE_V8_COVERAGE', 'SYSTEMROOT', 'NODE_COMPILE_CACHE']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * One `node dist/main.js` process of a topology. It can be killed with any signal and started again
 * with exactly the same environment (same ports, same database), which is what a fault test needs.
 */
export class AppProcess {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exit: Promise<ProcessExit> | undefined;
  private lastExit: ProcessExit | undefined;
  private starts = 0;

  constructor(options: AppProcessOptions) {
    this.name = options.name;
    this.env = Object.freeze({ ...options.env });
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
    this.logFile = options.logFile;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** How the last run ended; undefined while running or before the first start. */
  get exitStatus(): ProcessExit | undefined {
    return this.lastExit;
  }

  /**
   * Spawns the process (again) with the same environment and, unless told not to, waits until its
   * /health/ready answers 200.
   */
  async start(options: { waitReady?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    if (!existsSync(ENTRY_POINT)) throw new Error(`${ENTRY_POINT} does not exist: run \`npm run build\` first`);
    mkdirSync(dirname(this.logFile), { recursive: true });
    // A new handle starts a fresh log; restarts through the same handle append to it.
    if (this.starts === 0) writeFileSync(this.logFile, '');
    this.starts += 1;
    appendFileSync(this.logFile, `\n=== ${new Date().toISOString()} start #${this.starts} of ${this.name} ===\n`);
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [ENTRY_POINT], { cwd: PROJECT_ROOT, env: { ...this.env }, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.lastExit = undefined;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.lastExit = { code, signal };
        liveProcesses.delete(this);
        resolve({ code, signal });
      });
      child.once('error', (err) => {
        appendFileSync(this.logFile, `spawn failed: ${err.message}\n`);
        if (this.child === child) this.lastExit = { code: null, signal: null };
        resolve({ code: null, signal: null });
      });
    });
    liveProcesses.add(this);
    if (options.waitReady !== false) await this.waitReady(options.timeoutMs);
  }

  /**
   * Resolves once /health/ready answers 200 and, with WORKERS above 1 (whose shared port answers as soon
   * as one worker is up), once the primary has logged that every worker is listening. Rejects early if
   * the process exits, and on timeout; both errors carry the end of the process's log, which is usually
   * the reason.
   */
  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.name} exited (${describeExit(this.lastExit)}) before it was ready.\n${this.logTail()}`);
      }
      const answer = await probe(`${this.url}/health/ready`);
      if (answer.status === 200 && this.everyWorkerListening()) return;
      if (answer.status === 200) last = 'ready, but not every worker is listening yet';
      else last = answer.status ? `HTTP ${answer.status} ${answer.body.slice(0, 500)}` : answer.error;
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (last answer: ${last}).\n${this.logTail()}`);
  }

  /** True for one process; for WORKERS above 1, whether this start's log has the primary's line saying every worker listens. */
  private everyWorkerListening(): boolean {
    if (readWorkerSettings(this.env).workers <= 1) return true;
    const log = readFileSync(this.logFile, 'utf8');
    return log.includes(ALL_WORKERS_LISTENING, log.lastIndexOf(`start #${this.starts} of ${this.name} ===`));
  }

  /** Resolves once /health/ready is 200 and reports every remote module it calls as up. */
  async waitConnected(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      const answer = await probe(`${this.url}/health/ready`);
      if (answer.status === 200) {
        const remote = (JSON.parse(answer.body) as { remote?: Record<string, { status: string }> }).remote ?? {};
        if (Object.values(remote).every((r) => r.status === 'up')) return;
      }
      last = answer.status ? `HTTP ${answer.status} ${answer.body.slice(0, 500)}` : answer.error;
      await sleep(200);
    }
    throw new Error(`${this.name} did not reach the modules it calls within ${timeoutMs} ms (last answer: ${last}).\n${this.logTail()}`);
  }

  /**
   * Sends `signal` and resolves with how the process ended. A process that ignores the signal for
   * `graceMs` is killed with SIGKILL, so a test never hangs on a stuck child.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ProcessExit> {
    const child = this.child;
    if (!child || !this.running || !this.exit) return this.lastExit ?? { code: null, signal: null };
    const exited = this.exit;
    child.kill(signal);
    const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }

  /**
   * The last `lines` lines of the process's log (all of its runs), for error messages, after the last
   * few error and fatal lines (usually the reason, and the first thing a shortened report would drop).
   */
  logTail(lines = 40): string {
    if (!existsSync(this.logFile)) return `(no log at ${this.logFile})`;
    const all = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
    const errors = all.filter((line) => /"level":(50|60)\b/.test(line)).slice(-3);
    const reason = errors.length ? `--- last errors logged by ${this.name} ---\n${errors.join('\n')}\n` : '';
    return `${reason}--- last ${lines} lines of ${this.logFile} ---\n${all.slice(-lines).join('\n')}\n--- end of ${this.name} log ---`;
  }

  /** Synchronous last resort when the test runner itself is exiting. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}

function describeExit(exit: ProcessExit | undefined): string {
  if (!exit) return 'unknown';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function probe(url: string): Promise<{ status?: number; body: string; error: string }> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body, error: '' }));
      res.on('error', (err) => resolve({ body: '', error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2000 ms')));
    req.on('error', (err) => resolve({ body: '', error: err.message }));
  });
}

/** Every child still running, so none outlives the test runner if a suite forgets to stop it. */
const liveProcesses = new Set<AppProcess>();
process.once('exit', () => liveProcesses.forEach((p) => p.killNow()));
