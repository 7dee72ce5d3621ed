import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every child the benchmark started, so none outlives it whatever way it ends. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** One server process of the benchmark, its output in `logFile`. */
export class BenchProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** Milliseconds from spawn to the first 200 of its health URL. */
  readyMs = NaN;

  constructor(
    readonly name: string,
    private readonly script: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    private readonly healthPath = '/health/ready',
    private readonly nodeArgs: string[] = [],
    /** taskset's CPU list the process (and every process it starts) is confined to; undefined: anywhere. */
    readonly cpus?: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs: number): Promise<void> {
    mkdirSync(dirname(this.logFile), { recursive: true });
    const fd = openSync(this.logFile, 'w');
    const started = performance.now();
    const argv = [process.execPath, ...this.nodeArgs, this.script];
    // taskset execs node in its own place: the child's pid is node's.
    const [command, ...args] = this.cpus === undefined ? argv : ['taskset', '-c', this.cpus, ...argv];
    const child = spawn(command, args, { env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    children.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        children.delete(child);
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      const status = await fetch(this.url + this.healthPath).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) {
        this.readyMs = performance.now() - started;
        return;
      }
      await sleep(25);
    }
    const ended = child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : undefined;
    await this.stop();
    throw new Error(`${this.name} ${ended ?? `did not get ready within ${timeoutMs} ms`}; log ${this.logFile}:\n${tail(this.logFile)}`);
  }

  /**
   * CPU seconds (user + system) the process and its live child processes (WORKERS > 1) have used so
   * far, from /proc (Linux). Unlike throughput, CPU per request barely changes when other processes
   * compete for the machine.
   */
  cpuSeconds(): number {
    const pid = this.child?.pid;
    if (pid === undefined) return 0;
    const stats = processStats();
    const tree = new Set([pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const s of stats) {
        if (tree.has(s.pid) || !tree.has(s.ppid)) continue;
        tree.add(s.pid);
        grew = true;
      }
    }
    return stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.cpuSeconds, 0);
  }

  /** Resolves once the process's log holds `line`; throws if it exits or `timeoutMs` passes first. */
  async waitForLogLine(line: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!readFileSync(this.logFile, 'utf8').includes(line)) {
      if (!this.alive || Date.now() > deadline)
        throw new Error(`${this.name} did not log "${line}"; log ${this.logFile}:\n${tail(this.logFile)}`);
      await sleep(50);
    }
  }

  /** Resident set size in MiB, from /proc (Linux). */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child?.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Every process's parent and CPU seconds, from /proc/<pid>/stat. */
function processStats(): Array<{ pid: number; ppid: number; cpuSeconds: number }> {
  const stats = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone since the directory was read
    }
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    // ppid, utime and stime: fields 4, 14 and 15 of stat(5); times in clock ticks (USER_HZ, 100 on Linux).
    stats.push({ pid: Number(entry), ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 });
  }
  return stats;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
