import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Where the benchmark's processes run: on a machine with two cores or more, every server process on
 * CPU 1 and the benchmark with its load generator on CPU 0 (taskset), so they do not take turns on a
 * core; the databases and brokers are not pinned. BENCH_PIN=false, or one core, or no taskset: off.
 */
export interface Pinning {
  on: boolean;
  /** taskset's CPU list for a server process; undefined when pinning is off. */
  server?: string;
  /** Both cores, for a server of several workers, which one core would serialise. */
  all?: string;
  load?: string;
  why: string;
}

export function pinCores(wanted: boolean): Pinning {
  const cores = availableParallelism();
  if (!wanted) return { on: false, why: 'pinning off (BENCH_PIN=false)' };
  if (cores < 2) return { on: false, why: `pinning off: ${cores} core available (nproc < 2)` };
  try {
    // -a: every thread of this process, autocannon's included, and those it starts later inherit it.
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { on: false, why: 'pinning off: taskset (util-linux) is not available' };
  }
  return {
    on: true,
    server: '1',
    all: `0-${cores - 1}`,
    load: '0',
    why: `server processes on CPU 1 (taskset -c 1), the benchmark and autocannon on CPU 0; PostgreSQL, Redis and NATS not pinned`,
  };
}
