/** Message patterns served by the auth core. Payloads and replies in auth.messages.ts. */
export const AuthPatterns = {
  /**
   * RegisterRequest -> SessionGrant. Creates the credentials and publishes `auth.account-registered` in one
   * transaction; the users core creates the profile from that event. The answer waits (up to the bus
   * deadline) until users has acknowledged it, so the profile normally exists when the caller gets its
   * tokens; if users is unreachable the account still exists and its profile follows when users is back.
   * Errors: COMMON.VALIDATION_FAILED, AUTH.WEAK_PASSWORD, AUTH.EMAIL_TAKEN.
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
   * token stops working (in other modules once they apply `auth.credentials-changed`). Errors: AUTH.UNAUTHENTICATED, AUTH.INVALID_CREDENTIALS (current password wrong), AUTH.WEAK_PASSWORD.
   */
  CHANGE_PASSWORD: 'auth.change-password',
  /** {} -> { module: 'auth' }. Used by readiness checks. */
  PING: 'auth.ping',
} as const;
