import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import type { Env } from './common/config/settings.source.js';
import { ConfigError, readInteger } from './common/config/settings.readers.js';
import type { Topology } from './common/config/topology.js';
import { serveClusterMetrics } from './common/observability/cluster.metrics.js';

/** WORKERS: how many processes of this role run in this container; `auto` is one per available core. */
export function readWorkerSettings(env: Env) {
  const raw = env.WORKERS?.trim().toLowerCase();
  return { workers: raw === 'auto' ? availableParallelism() : readInteger(env, 'WORKERS', 1, 1, 256) };
}

/**
 * Several workers are several replicas of one process, sharing its port: what replicas need must hold.
 * Each worker opens its own database sessions (the embedded database belongs to one process), a module
 * other processes reach must be on a transport that hands each request to one worker (NATS), and rate
 * limits must count in a store every worker shares.
 */
export function assertWorkersSupported(workers: number, topology: Topology, rateLimitStore: string): void {
  if (workers === 1) return;
  for (const name of topology.hosted) {
    const module = topology.modules[name];
    if (!module.databaseUrl) {
      throw new ConfigError(
        'WORKERS',
        `is ${workers}, but the ${name} module is on the embedded database, which only one process may open: ` +
          'set DATABASE_URL (PostgreSQL), or run one worker',
      );
    }
    if (module.transport === 'tcp' || module.transport === 'redis') {
      throw new ConfigError(
        'WORKERS',
        `is ${workers}, but ${name.toUpperCase()}_TRANSPORT is ${module.transport}, on which a module runs as one ` +
          'process: use nats, or run one worker',
      );
    }
  }
  if (topology.api && rateLimitStore !== 'redis') {
    throw new ConfigError(
      'RATE_LIMIT_STORE',
      `is ${rateLimitStore}: with WORKERS=${workers} each worker would allow the whole limit; set it to redis`,
    );
  }
}

/** What the primary logs once each of its workers is listening. */
export const ALL_WORKERS_LISTENING = 'Every worker is listening';

/**
 * The primary of WORKERS > 1: starts the workers (each runs the application on the shared port), passes
 * SIGTERM and SIGINT on to them and exits once they all have (0 when every one exited 0), starts a
 * worker again when one dies on its own (not more than 5 times a minute), stops everything with 78 when
 * a worker stops on a configuration error, gathers the workers' metrics for whichever answers
 * GET /metrics, and logs ALL_WORKERS_LISTENING once every worker has started listening.
 */
export function runPrimary(workers: number, logger: LoggerService): void {
  serveClusterMetrics();
  let stopping = false;
  /** The primary's exit code once every worker is gone: 0 unless one failed, 78 after a configuration error. */
  let exitCode = 0;
  const crashes: number[] = [];
  const fork = () => cluster.fork();
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    const running = Object.values(cluster.workers ?? {});
    for (const worker of running) worker?.process.kill(signal);
    if (running.length === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      if (code !== 0 && exitCode === 0) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (code === 78) {
      logger.error({ pid: worker.process.pid }, 'A worker stopped on a configuration error; stopping', 'Workers');
      exitCode = 78;
      stopAll('SIGTERM');
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - 60_000) crashes.shift();
    if (crashes.length > 5) {
      logger.error({ pid: worker.process.pid, code, signal }, 'Workers keep dying; stopping', 'Workers');
      exitCode = 1;
      stopAll('SIGTERM');
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'A worker died; starting another', 'Workers');
    setTimeout(() => stopping || fork(), 1000);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(signal));

  // One line once every worker first serves the port: a readiness probe of the shared port is answered
  // by whichever worker is up, so this line is what says the whole container is serving.
  const listening = new Set<number>();
  const onListening = (worker: Worker) => {
    listening.add(worker.id);
    if (listening.size < workers) return;
    cluster.off('listening', onListening);
    logger.log({ workers }, ALL_WORKERS_LISTENING, 'Workers');
  };
  cluster.on('listening', onListening);

  logger.log({ workers }, `Starting ${workers} workers on the same port`, 'Workers');
  for (let i = 0; i < workers; i++) fork();
}
