import { ApiProperty } from '@nestjs/swagger';
import { defineEvent } from '../../../common/contracts/operation.js';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH } from '../../../common/validation/fields.js';
import { ROLES, type Role } from './auth.access.js';

export class AccountRegistered {
  @ApiProperty({ format: 'uuid', description: 'The new account, and the id of its profile.' })
  userId: string;

  @ApiProperty({ maxLength: MAX_NAME_LENGTH })
  name: string;

  @ApiProperty({ maxLength: MAX_EMAIL_LENGTH })
  email: string;
}

export class CredentialsChanged {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  /** The account's current credential version; tokens carrying an older one are refused. */
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    description: 'The current credential version; tokens with an older one are refused.',
  })
  version: number;

  @ApiProperty({ enum: ROLES })
  role: Role;

  /** false once the account is deleted: all of its tokens are refused. */
  @ApiProperty({ description: 'false once the account is deleted: all of its tokens are refused.' })
  active: boolean;
}

/**
 * Events the auth core publishes, through its outbox, to the modules that declare them in `subscribes`.
 * Each carries the account id as its ordering key: one account's events are applied in order.
 */
export const AuthEventContracts = {
  /** Credentials were created for a new account; the users core creates its profile. Consumers: users. */
  accountRegistered: defineEvent({
    name: 'auth.account-registered',
    summary: 'Credentials were created for a new account.',
    payload: AccountRegistered,
    orderingKey: 'userId',
  }),
  /**
   * An account's credential version, role or existence changed (password change, account deleted): every
   * token issued under an older version, or for a gone account, is refused from now on. Consumers: users,
   * orders (their local copy of credential versions).
   */
  credentialsChanged: defineEvent({
    name: 'auth.credentials-changed',
    summary: "An account's credential version, role or existence changed; older tokens are refused from then on.",
    payload: CredentialsChanged,
    orderingKey: 'userId',
  }),
} as const;

/** The event names, for `subscribes` and the inbox. */
export const AuthEvents = {
  ACCOUNT_REGISTERED: AuthEventContracts.accountRegistered.name,
  CREDENTIALS_CHANGED: AuthEventContracts.credentialsChanged.name,
} as const;
