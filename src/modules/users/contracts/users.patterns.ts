/**
 * Message patterns served by the users core. Names are `users.<verb>`; payloads in users.messages.ts.
 * Every pattern but `ping` needs a verified caller in the packet's `authorization` metadata
 * (AUTH.UNAUTHENTICATED otherwise): a user reaches only their own profile (another's answers
 * USERS.NOT_FOUND), an admin reaches every profile, a module's service token acts for the module.
 * Profiles are created from the auth module's `auth.account-registered` event, not by a message.
 */
export const UsersPatterns = {
  /** GetUserRequest -> UserReply. Errors: COMMON.VALIDATION_FAILED, USERS.NOT_FOUND. Idempotent. */
  GET: 'users.get',
  /** ListUsersRequest -> UserPageReply. Admins only (AUTH.FORBIDDEN). Errors: COMMON.VALIDATION_FAILED, USERS.INVALID_CURSOR. Idempotent. */
  LIST: 'users.list',
  /** UpdateUserRequest -> UserReply. Errors: COMMON.VALIDATION_FAILED, USERS.NOT_FOUND. */
  UPDATE: 'users.update',
  /**
   * DeleteUserRequest -> DeletedReply. Deletes the profile and publishes `users.user-deleted` in one
   * transaction (auth forgets the credentials, orders cancels pending orders). Errors: COMMON.VALIDATION_FAILED, USERS.NOT_FOUND.
   */
  DELETE: 'users.delete',
  /** {} -> PingReply. Answers as soon as the core is listening; used by readiness checks. */
  PING: 'users.ping',
} as const;
