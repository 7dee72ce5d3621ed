import { ApiProperty } from '@nestjs/swagger';
import { defineEvent } from '../../../common/contracts/operation.js';

export class UserDeleted {
  @ApiProperty({ format: 'uuid', description: 'The deleted profile, and account.' })
  userId: string;
}

/**
 * Events the users core publishes, through its outbox, to the modules that declare them in `subscribes`.
 * Each carries the user id as its ordering key.
 */
export const UsersEventContracts = {
  /**
   * A profile was deleted, and with it the account. Consumers: auth (forgets the credentials, which
   * revokes every token), orders (cancels the user's pending orders).
   */
  userDeleted: defineEvent({
    name: 'users.user-deleted',
    summary: 'A profile was deleted, and with it the account.',
    payload: UserDeleted,
    orderingKey: 'userId',
  }),
} as const;

/** The event names, for `subscribes` and the inbox. */
export const UsersEvents = {
  USER_DELETED: UsersEventContracts.userDeleted.name,
} as const;
