import type { Role } from './auth.access.js';

/**
 * Events the auth core publishes, through its outbox, to the modules that declare them in `subscribes`.
 * Each carries the account id as its ordering key: one account's events are applied in order.
 */
export const AuthEvents = {
  /**
   * AccountRegistered. Credentials were created for a new account; the users core creates its profile.
   * Consumers: users.
   */
  ACCOUNT_REGISTERED: 'auth.account-registered',
  /**
   * CredentialsChanged. An account's credential version, role or existence changed (password change,
   * account deleted): every token issued under an older version, or for a gone account, is refused from
   * now on. Consumers: users, orders (their local copy of credential versions).
   */
  CREDENTIALS_CHANGED: 'auth.credentials-changed',
} as const;

export interface AccountRegistered {
  userId: string;
  name: string;
  email: string;
}

export interface CredentialsChanged {
  userId: string;
  /** The account's current credential version; tokens carrying an older one are refused. */
  version: number;
  role: Role;
  /** false once the account is deleted: all of its tokens are refused. */
  active: boolean;
}
