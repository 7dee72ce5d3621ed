import { registerSettings } from '../config/settings.source.js';
import { readNamespace } from '../config/topology.js';
import { ConfigError, readBoolean, readInteger, readUrl } from '../config/settings.readers.js';

type Env = Record<string, string | undefined>;

function readOrigins(env: Env): string[] {
  const raw = env.CORS_ORIGINS?.trim();
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError('CORS_ORIGINS', `names "${origin}", which is not an origin like https://app.example.com`);
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
        throw new ConfigError('CORS_ORIGINS', `names "${origin}", which is not an origin like https://app.example.com`);
      }
      return url.origin;
    });
}

/** Browser-facing hardening of the public API: allowed origins and request rates. */
export function readSecuritySettings(env: Env) {
  return {
    /** Origins a browser may call the API from; empty allows none (same-origin only). */
    corsOrigins: readOrigins(env),
    /** Requests one client address may make per window, on every route. */
    rateLimit: readInteger(env, 'RATE_LIMIT', 300, 1, 1_000_000),
    /** Login, registration and password-change attempts per client address and account per window. */
    authRateLimit: readInteger(env, 'CREDENTIAL_RATE_LIMIT', 5, 1, 1_000_000),
    /** Login, registration and password-change attempts per client address per window, whatever the account. */
    authClientRateLimit: readInteger(env, 'CREDENTIAL_CLIENT_RATE_LIMIT', 20, 1, 1_000_000),
    rateWindowMs: readInteger(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 3_600_000),
    rateLimitStore: readRateLimitStore(env),
    /** Whether any rate limit applies; off only to measure what counting costs, and refused in production. */
    rateLimitEnabled: readRateLimitEnabled(env),
  };
}

function readRateLimitEnabled(env: Env): boolean {
  const enabled = readBoolean(env, 'RATE_LIMIT_ENABLED', true);
  if (!enabled && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'RATE_LIMIT_ENABLED',
      'may not be false when NODE_ENV=production: every limit, credential limits too, would be gone',
    );
  }
  return enabled;
}

/**
 * Where the limits count: `memory` (each gateway process counts its own share, right for one process)
 * or `redis` (every gateway of the deployment counts together; RATE_LIMIT_REDIS_URL, else REDIS_URL).
 */
function readRateLimitStore(env: Env): { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string } {
  const kind = env.RATE_LIMIT_STORE?.trim().toLowerCase() || 'memory';
  if (kind === 'memory') return { kind };
  if (kind !== 'redis') throw new ConfigError('RATE_LIMIT_STORE', `must be memory or redis, got "${env.RATE_LIMIT_STORE}"`);
  const url =
    readUrl(env, 'RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:']) ??
    readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']) ??
    'redis://127.0.0.1:6379';
  const namespace = readNamespace(env);
  return { kind, url, prefix: `mm:${namespace ? `${namespace}:` : ''}rate-limit` };
}

export type SecuritySettings = ReturnType<typeof readSecuritySettings>;
export const securityConfig = registerSettings('security', readSecuritySettings);
