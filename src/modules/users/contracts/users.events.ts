/**
 * Events the users core publishes, through its outbox, to the modules that declare them in `subscribes`.
 * Each carries the user id as its ordering key.
 */
export const UsersEvents = {
  /**
   * UserDeleted. A profile was deleted, and with it the account. Consumers: auth (forgets the
   * credentials, which revokes every token), orders (cancels the user's pending orders).
   */
  USER_DELETED: 'users.user-deleted',
} as const;

export interface UserDeleted {
  userId: string;
}
