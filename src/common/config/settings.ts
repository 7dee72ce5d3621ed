import { type Env, readSettings, registerSettings } from './settings.source.js';
import { ConfigError, readBoolean, readInteger } from './settings.readers.js';

/** HTTP server settings. */
export const httpConfig = registerSettings('http', readHttpSettings);
/** Defaults for every call over the bus. */
export const busConfig = registerSettings('bus', readBusSettings);
/** Where the embedded database keeps its files and whether migrations run at start. */
export const databaseConfig = registerSettings('database', readDatabaseSettings);

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
  return {
    /** When set, /metrics needs `Authorization: Bearer <token>`; when unset, only loopback clients may read it. */
    token,
    /** Whether each HTTP request is observed by the request duration histogram; off only to measure what it costs. */
    http: readBoolean(env, 'METRICS_HTTP', true),
  };
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
    /** How long a statement waits for a free pooled connection (or a new one) before it fails. */
    acquireTimeoutMs: readInteger(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', 10_000, 100, 600_000),
  };
}

/** How the local copy of credential versions follows changes made by other replicas of the same module. */
export function readIdentitySettings(env: Env) {
  return {
    copyRefreshMs: readInteger(env, 'CREDENTIAL_COPY_REFRESH_MS', 1000, 50, 60_000),
  };
}

/** Durable events: how the outbox is relayed and when a failing event is parked. */
export function readEventSettings(env: Env) {
  return {
    /** How often a relay looks for undelivered events when nothing in this process told it of a new one. */
    pollMs: readInteger(env, 'EVENTS_POLL_MS', 250, 10, 60_000),
    /** How long a consumer's fetch waits at its producer for the next event before asking again. */
    longPollMs: readInteger(env, 'EVENTS_LONG_POLL_MS', 1000, 0, 30_000),
    /** First retry delay after a failed delivery, doubled each time up to `retryMaxMs`. */
    retryBackoffMs: readInteger(env, 'EVENTS_RETRY_BACKOFF_MS', 100, 1, 60_000),
    retryMaxMs: readInteger(env, 'EVENTS_RETRY_MAX_MS', 5000, 10, 3_600_000),
    /** Handler failures (not unreachable consumers) after which an event is parked. */
    maxAttempts: readInteger(env, 'EVENTS_MAX_ATTEMPTS', 10, 1, 1000),
    batchSize: readInteger(env, 'EVENTS_BATCH_SIZE', 50, 1, 1000),
    /**
     * How long a request that published an event (register, password change, delete) waits for the
     * consumers' acknowledgements before it answers, so its effects are normally visible everywhere by
     * then; never more than half the bus deadline. 0 answers at once.
     */
    settleMs: readInteger(env, 'EVENTS_SETTLE_MS', 1000, 0, 60_000),
    /** How often a replica that does not relay a module's events tries to take over. */
    leaderRetryMs: readInteger(env, 'EVENTS_LEADER_RETRY_MS', 1000, 50, 60_000),
    /** How often the relaying replica proves its database session (and so its lock) still lives. */
    leaderCheckMs: readInteger(env, 'EVENTS_LEADER_CHECK_MS', 1000, 50, 60_000),
  };
}

/** What is deleted when, so tables stay bounded (docs/operations.md). */
export function readRetentionSettings(env: Env) {
  const day = 24 * 3600_000;
  return {
    /** How often the sweeps run; 0 turns them off. */
    intervalMs: readInteger(env, 'RETENTION_INTERVAL_MS', 300_000, 0, day),
    /** Rows deleted per transaction. */
    batch: readInteger(env, 'RETENTION_BATCH', 5000, 1, 1_000_000),
    /** How long a delivered outbox row is kept (parked and pending rows are never deleted). */
    outboxMs: readInteger(env, 'OUTBOX_RETENTION_MS', 7 * day, 60_000, 3650 * day),
    /**
     * How long a consumer remembers an applied event id. A redelivery later than this would be applied
     * again, so it must outlast the longest time a producer can stay down with an acknowledgement unrecorded.
     */
    inboxMs: readInteger(env, 'INBOX_RETENTION_MS', 30 * day, 60_000, 3650 * day),
  };
}

export const identityConfig = registerSettings('identity', readIdentitySettings);
export const retentionConfig = registerSettings('retention', readRetentionSettings);
export const eventsConfig = registerSettings('events', readEventSettings);

/** From the most to the least detailed: a process logging at one level writes the lines of every level after it. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether a process with these settings writes lines of `level`. */
export function logsAt(settings: { level: LogLevel }, level: Exclude<LogLevel, 'silent'>): boolean {
  return LOG_LEVELS.indexOf(settings.level) <= LOG_LEVELS.indexOf(level);
}

export function readLogSettings(env: Env) {
  const level = env.LOG_LEVEL?.trim() || (env.NODE_ENV === 'test' ? 'warn' : 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const format = env.LOG_FORMAT?.trim() || 'json';
  if (format !== 'json' && format !== 'pretty') throw new ConfigError('LOG_FORMAT', `must be json or pretty, got "${format}"`);
  return {
    level: level as LogLevel,
    format: format as 'json' | 'pretty',
    /** Whether each HTTP request is logged with one line (at info); off only to measure what that line costs. */
    requests: readBoolean(env, 'LOG_REQUESTS', true),
  };
}

/**
 * How a terminating process leaves. `readinessDelayMs`: after SIGTERM, how long it keeps serving with
 * readiness at 503 before it stops accepting, so that a load balancer checking /health/ready every 2 s
 * and taking a server out after 2 failures (or Kubernetes removing the pod from its endpoints) has
 * stopped sending to it by then. `graceMs` bounds the whole shutdown from the signal, the delay included.
 */
export function readShutdownSettings(env: Env) {
  const graceMs = readInteger(env, 'SHUTDOWN_GRACE_MS', 15_000, 0, 600_000);
  // The default never takes more than half the grace period, so a short SHUTDOWN_GRACE_MS stays valid alone.
  const readinessDelayMs = readInteger(env, 'SHUTDOWN_READINESS_DELAY_MS', Math.min(5000, Math.floor(graceMs / 2)), 0, 300_000);
  if (readinessDelayMs > 0 && readinessDelayMs >= graceMs) {
    throw new ConfigError(
      'SHUTDOWN_READINESS_DELAY_MS',
      `must be less than SHUTDOWN_GRACE_MS (${graceMs}), which bounds the whole shutdown, this delay included; got ${readinessDelayMs}`,
    );
  }
  return { graceMs, readinessDelayMs };
}

export type HttpSettings = ReturnType<typeof readHttpSettings>;
export type BusSettings = ReturnType<typeof readBusSettings>;
export type TcpListenerSettings = ReturnType<typeof readTcpListenerSettings>;
export type EventSettings = ReturnType<typeof readEventSettings>;
export type DatabaseSettings = ReturnType<typeof readDatabaseSettings>;
export type LogSettings = ReturnType<typeof readLogSettings>;
export type ShutdownSettings = ReturnType<typeof readShutdownSettings>;

/** Settings read where Nest builds a provider: registered once here, injected by key where used. */
export const metricsConfig = registerSettings('metrics', readMetricsSettings);
export const logConfig = registerSettings('log', readLogSettings);
export const tcpListenerConfig = registerSettings('tcpListener', readTcpListenerSettings);

/**
 * The log settings, or the defaults when they are invalid: the process needs a logger before anything
 * else, if only to report that LOG_LEVEL is wrong (loadSettings then refuses it).
 */
export function processLogSettings(): LogSettings {
  try {
    return readSettings(readLogSettings);
  } catch (err) {
    if (err instanceof ConfigError) return readLogSettings({});
    throw err;
  }
}
