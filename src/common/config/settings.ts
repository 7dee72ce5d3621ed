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
    host: env.HOST?.trim() || '0.0.0.0',
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
  readDatabaseSettings(env);
  readAuthSettings(env);
  readSecuritySettings(env);
}
