import { FORGET_IDENTITY_PATTERN, SUSPEND_IDENTITY_PATTERN, VERIFY_IDENTITY_PATTERN } from '../../../common/auth/identity.js';

/** Message patterns served by the auth core. Payloads and replies in auth.messages.ts. */
export const AuthPatterns = {
  /**
   * RegisterRequest -> SessionGrant. Creates the profile through `users.create`, then activates the credentials;
   * on any failure nothing of the account remains. Errors: COMMON.VALIDATION_FAILED, AUTH.WEAK_PASSWORD,
   * AUTH.EMAIL_TAKEN, BUS.UNAVAILABLE / BUS.TIMEOUT (users unreachable).
   */
  REGISTER: 'auth.register',
  /** LoginRequest -> SessionGrant. Errors: COMMON.VALIDATION_FAILED, AUTH.INVALID_CREDENTIALS (same for unknown email and wrong password). */
  LOGIN: 'auth.login',
  /**
   * RefreshRequest -> SessionGrant; the presented refresh token is spent. Errors: AUTH.UNAUTHENTICATED,
   * AUTH.REFRESH_REUSED (a spent token came back: its whole family is revoked).
   */
  REFRESH: 'auth.refresh',
  /** RefreshRequest -> LoggedOutReply; revokes the token's family. Answers the same for any token. */
  LOGOUT: 'auth.logout',
  /**
   * ChangePasswordRequest -> SessionGrant, for the caller in the metadata. Every older access and refresh
   * token stops working. Errors: AUTH.UNAUTHENTICATED, AUTH.INVALID_CREDENTIALS (current password wrong), AUTH.WEAK_PASSWORD.
   */
  CHANGE_PASSWORD: 'auth.change-password',
  /** {} -> VerifiedIdentity for the access token in the metadata. Errors: AUTH.UNAUTHENTICATED. Idempotent. */
  VERIFY: VERIFY_IDENTITY_PATTERN,
  /**
   * AccountRef -> AccountRef. The account cannot sign in any more and every token it holds is refused;
   * its credentials remain, inactive, until `auth.forget`. Modules only (AUTH.FORBIDDEN). Idempotent.
   * The users core calls it before deleting a profile.
   */
  SUSPEND: SUSPEND_IDENTITY_PATTERN,
  /** AccountRef -> AccountRef. Removes a suspended account's credentials. Modules only. Idempotent. */
  FORGET: FORGET_IDENTITY_PATTERN,
  /** {} -> { module: 'auth' }. Used by readiness checks. */
  PING: 'auth.ping',
} as const;
