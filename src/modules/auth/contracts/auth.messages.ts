import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from './auth.access.js';
import { EmailAddress, MAX_EMAIL_LENGTH, normalizeEmail, PersonName } from '../../../common/validation/fields.js';

/** The password rule: 12 to 128 characters, not mostly one character, not containing the email's name. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Longer password input is refused before hashing; the strength rule answers AUTH.WEAK_PASSWORD from PASSWORD_MAX_LENGTH on. */
const PASSWORD_INPUT_LIMIT = 1024;

class PasswordField {
  @ApiProperty({ example: 'correct horse battery staple', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MaxLength(PASSWORD_INPUT_LIMIT)
  password: string;
}

export class LoginRequest extends PasswordField {
  @ApiProperty({ example: 'ada@example.com', maxLength: MAX_EMAIL_LENGTH })
  @Transform(normalizeEmail)
  @IsString()
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;
}

/** Create an account: a users profile (name, email) and its credentials. Any other field is refused. */
export class RegisterRequest extends PasswordField {
  @PersonName()
  name: string;

  @EmailAddress()
  email: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ writeOnly: true, maxLength: PASSWORD_INPUT_LIMIT, example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(PASSWORD_INPUT_LIMIT)
  currentPassword: string;

  @ApiProperty({ writeOnly: true, minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, example: 'a new, longer passphrase' })
  @IsString()
  @MaxLength(PASSWORD_INPUT_LIMIT)
  newPassword: string;
}

/** Bus only: the HTTP API takes the refresh token from its cookie. */
export class RefreshRequest {
  @ApiProperty({ maxLength: 4096, writeOnly: true })
  @IsString()
  @MaxLength(4096)
  refreshToken: string;
}

export class AccountReply {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b', description: 'The users profile id.' })
  id: string;

  @ApiProperty({ example: 'ada@example.com', maxLength: MAX_EMAIL_LENGTH })
  email: string;

  @ApiProperty({ enum: ROLES, example: 'user' })
  role: Role;
}

/**
 * An access token is a JWT of fixed claims (ids, role, versions, times), a few hundred characters; the
 * bound leaves room for claims to grow; the auth e2e spec checks an issued token against it.
 */
export const ACCESS_TOKEN_MAX_LENGTH = 2048;

/** What the HTTP API answers after register, login, refresh and password change. */
export class SessionReply {
  @ApiProperty({ type: AccountReply })
  account: AccountReply;

  @ApiProperty({
    description: 'Send as `Authorization: Bearer <accessToken>`.',
    example: 'eyJhbGciOiJIUzI1NiJ9...',
    maxLength: ACCESS_TOKEN_MAX_LENGTH,
  })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
  expiresIn: number;
}

/** A SessionReply plus the refresh token, which the gateway moves into an HttpOnly cookie. */
export class SessionGrant extends SessionReply {
  @ApiProperty({ maxLength: ACCESS_TOKEN_MAX_LENGTH })
  refreshToken: string;

  @ApiProperty({ example: 1_209_600, description: 'Seconds until the refresh token expires.' })
  refreshExpiresIn: number;
}

export class LoggedOutReply {
  @ApiProperty({ example: true })
  loggedOut: true;
}
