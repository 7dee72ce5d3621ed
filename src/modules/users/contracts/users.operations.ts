import { IdentityErrors } from '../../../common/identity/identity.errors.js';
import { defineOperation, pingOperation } from '../../../common/contracts/operation.js';
import { UsersErrors } from './users.errors.js';
import { UsersEvents } from './users.events.js';
import {
  CountUsersRequest,
  DeletedReply,
  DeleteUserRequest,
  GetUserRequest,
  ListUsersRequest,
  UpdateUserRequest,
  UserCountReply,
  UserPageReply,
  UserReply,
} from './users.messages.js';

/**
 * The operations the users core serves: the one place where each is declared. Profiles are created from
 * the auth module's `auth.account-registered` event, not by an operation. A user reaches only their own
 * profile (another's answers USERS.NOT_FOUND, as a missing one does), an admin every profile, a module's
 * service token acts for the module.
 */
export const UsersOperations = {
  get: defineOperation({
    pattern: 'users.get',
    summary: 'One profile.',
    request: GetUserRequest,
    reply: UserReply,
    errors: [UsersErrors.NOT_FOUND],
    idempotent: true,
    access: 'caller',
  }),
  list: defineOperation({
    pattern: 'users.list',
    summary: 'A page of profiles, oldest first.',
    request: ListUsersRequest,
    reply: UserPageReply,
    errors: [UsersErrors.INVALID_CURSOR, IdentityErrors.FORBIDDEN],
    idempotent: true,
    access: 'admin',
  }),
  count: defineOperation({
    pattern: 'users.count',
    summary: 'How many profiles there are.',
    request: CountUsersRequest,
    reply: UserCountReply,
    errors: [IdentityErrors.FORBIDDEN],
    idempotent: true,
    access: 'admin',
  }),
  update: defineOperation({
    pattern: 'users.update',
    summary: "Changes a profile's name; the same name again changes nothing.",
    request: UpdateUserRequest,
    reply: UserReply,
    errors: [UsersErrors.NOT_FOUND],
    idempotent: false,
    access: 'caller',
  }),
  delete: defineOperation({
    pattern: 'users.delete',
    summary: 'Deletes the profile and ends the account.',
    request: DeleteUserRequest,
    reply: DeletedReply,
    errors: [UsersErrors.NOT_FOUND],
    idempotent: false,
    access: 'caller',
    publishes: [UsersEvents.USER_DELETED],
  }),
  ping: pingOperation('users'),
} as const;
