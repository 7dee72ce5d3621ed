import { registerAs } from '@nestjs/config';
import { readAuthSettings } from '../auth/auth.settings.js';
import { readSecuritySettings } from '../http/security.settings.js';
import { ConfigError, readBoolean, readInteger } from './topology.js';

type Env = Record<string, string | undefined>;

/** HTTP server settings. */
export const httpConfig = registerAs('http', () => readHttpSettings(process.env));
/** Defaults for every call over the bus. */
export const busConfig = registerAs('bus', () => readBusSettings(process.env));
/** Where the embedded database keeps its files and whether migrations run at start. */
export const databaseConfig = registerAs('database', () => readDatabaseSettings(process.env));

export function readHttpSettings(env: Env) {
  return {
    // A process without the public API serves only health and metrics: reachable from its own host unless HOST says otherwise.
    host: env.HOST?.trim() || (readBoolean(env, 'API', true) ? '0.0.0.0' : '127.0.0.1'),
    port: readInteger(env, 'PORT', 3000, 0, 65535),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 50 * 1024 * 1024),
  };
}

export function readBusSettings(env: Env) {
  return {
    deadlineMs: readInteger(env, 'BUS_DEADLINE_MS', 5000, 10, 120_000),
    retries: readInteger(env, 'BUS_RETRIES', 2, 0, 10),
    retryBackoffMs: readInteger(env, 'BUS_RETRY_BACKOFF_MS', 100, 1, 10_000),
    breakerErrorThresholdPercent: readInteger(env, 'BUS_BREAKER_ERROR_PERCENT', 50, 1, 100),
    breakerResetMs: readInteger(env, 'BUS_BREAKER_RESET_MS', 2000, 100, 600_000),
    breakerVolumeThreshold: readInteger(env, 'BUS_BREAKER_MIN_REQUESTS', 5, 1, 10_000),
  };
}

/** Who may read GET /metrics. */
export function readMetricsSettings(env: Env) {
  const token = env.METRICS_TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  /** When set, /metrics needs `Authorization: Bearer <token>`; when unset, only loopback clients may read it. */
  return { token };
}

/** What a module's TCP listener accepts from a peer. */
export function readTcpListenerSettings(env: Env) {
  return {
    /** Largest frame read, in characters; a larger one is refused and its connection closed. */
    maxFrameChars: readInteger(env, 'BUS_TCP_MAX_FRAME_CHARS', 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
    /** Connections kept open at once; more are closed as they arrive. */
    maxConnections: readInteger(env, 'BUS_TCP_MAX_CONNECTIONS', 256, 1, 65_535),
  };
}

export function readDatabaseSettings(env: Env) {
  const dataDir = env.DATA_DIR?.trim() || './data';
  if (dataDir.includes('\0')) throw new ConfigError('DATA_DIR', 'is not a valid path');
  return {
    dataDir,
    runMigrations: readBoolean(env, 'MIGRATIONS_RUN', true),
    poolSize: readInteger(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
  };
}

export type HttpSettings = ReturnType<typeof readHttpSettings>;
export type BusSettings = ReturnType<typeof readBusSettings>;
export type DatabaseSettings = ReturnType<typeof readDatabaseSettings>;

/** Reads every setting once, so a bad value stops the process before anything starts. */
export function validateSettings(env: Env): void {
  readHttpSettings(env);
  readBusSettings(env);
  readTcpListenerSettings(env);
  readMetricsSettings(env);
  readDatabaseSettings(env);
  readAuthSettings(env);
  readSecuritySettings(env);
}
