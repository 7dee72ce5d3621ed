import { ConfigError, readInteger } from '../../common/config/settings.readers.js';
import { type Env, registerSettings } from '../../common/config/settings.source.js';
import { canonicalEmail } from '../../common/validation/fields.js';

function readEmail(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  const value = raw ? canonicalEmail(raw) : undefined;
  if (!value) return undefined;
  if (!/^[^\s@"]+@[^\s@]+\.[^\s@]+$/.test(value) || value.length > 254)
    throw new ConfigError(name, 'must be an email address, without quotes');
  return value;
}

/** The auth core's own settings: token lifetimes and the administrator's address. */
export function readAuthSettings(env: Env) {
  return {
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL', 15 * 60, 30, 24 * 3600),
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL', 14 * 24 * 3600, 60, 365 * 24 * 3600),
    /**
     * How long after a refresh token is spent the same token still gets a token of its family (two tabs
     * refreshing at once); presented later, it revokes the family. 0 turns the grace off.
     */
    refreshReuseGraceSeconds: readInteger(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, 0, 120),
    /** Failed sign-ins (or password confirmations) on one account, over any path, before it is paused. */
    failedAttempts: readInteger(env, 'AUTH_FAILED_ATTEMPTS', 20, 1, 1_000_000),
    failedAttemptsWindowMs: readInteger(env, 'AUTH_FAILED_ATTEMPTS_WINDOW_MS', 15 * 60_000, 1000, 24 * 3600_000),
    /** The account registered with this email is an administrator. */
    adminEmail: readEmail(env, 'ADMIN_EMAIL'),
  };
}

export type AuthSettings = ReturnType<typeof readAuthSettings>;

export const authConfig = registerSettings('auth', readAuthSettings);
