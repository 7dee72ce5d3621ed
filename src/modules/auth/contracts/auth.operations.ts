import { IdentityErrors } from '../../../common/identity/identity.errors.js';
import { defineOperation, pingOperation } from '../../../common/contracts/operation.js';
import { CommonErrors } from '../../../common/errors/common.errors.js';
import { AuthErrors } from './auth.errors.js';
import { AuthEvents } from './auth.events.js';
import { ChangePasswordRequest, LoggedOutReply, LoginRequest, RefreshRequest, RegisterRequest, SessionGrant } from './auth.messages.js';

/** The operations the auth core serves: the one place where each is declared. */
export const AuthOperations = {
  /**
   * Creates the credentials and publishes `auth.account-registered` in one transaction; the users core
   * creates the profile from that event. The answer waits (up to the settle window) until users has
   * acknowledged it, so the profile normally exists when the caller gets its tokens; if users is
   * unreachable the account still exists and its profile follows when users is back.
   */
  register: defineOperation({
    pattern: 'auth.register',
    summary: 'Creates an account and signs it in; answers once users acknowledged the event (or after the settle window).',
    request: RegisterRequest,
    reply: SessionGrant,
    errors: [AuthErrors.WEAK_PASSWORD, AuthErrors.EMAIL_TAKEN],
    idempotent: false,
    access: 'anyone',
    publishes: [AuthEvents.ACCOUNT_REGISTERED],
  }),
  /** An unknown email and a wrong password answer alike (AUTH.INVALID_CREDENTIALS). */
  login: defineOperation({
    pattern: 'auth.login',
    summary: 'Signs in; an unknown email and a wrong password answer alike.',
    request: LoginRequest,
    reply: SessionGrant,
    errors: [AuthErrors.INVALID_CREDENTIALS, CommonErrors.TOO_MANY_REQUESTS],
    idempotent: false,
    access: 'anyone',
  }),
  /** The presented refresh token is spent; a spent one presented again revokes its whole family (AUTH.REFRESH_REUSED). */
  refresh: defineOperation({
    pattern: 'auth.refresh',
    summary: 'Exchanges a refresh token for new tokens; a spent one revokes its whole family.',
    request: RefreshRequest,
    reply: SessionGrant,
    errors: [AuthErrors.UNAUTHENTICATED, AuthErrors.REFRESH_REUSED],
    idempotent: false,
    access: 'anyone',
  }),
  logout: defineOperation({
    pattern: 'auth.logout',
    summary: "Revokes the refresh token's family; answers alike for any token.",
    request: RefreshRequest,
    reply: LoggedOutReply,
    errors: [],
    idempotent: false,
    access: 'anyone',
  }),
  /**
   * For the caller in the metadata. Every older access and refresh token stops working (in other modules
   * once they apply `auth.credentials-changed`).
   */
  changePassword: defineOperation({
    pattern: 'auth.change-password',
    summary: "Changes the caller's password; every older token stops working.",
    request: ChangePasswordRequest,
    reply: SessionGrant,
    errors: [AuthErrors.INVALID_CREDENTIALS, AuthErrors.WEAK_PASSWORD, CommonErrors.TOO_MANY_REQUESTS, IdentityErrors.FORBIDDEN],
    idempotent: false,
    access: 'user',
    publishes: [AuthEvents.CREDENTIALS_CHANGED],
  }),
  ping: pingOperation('auth'),
} as const;
