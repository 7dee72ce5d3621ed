import { Injectable } from '@nestjs/common';
import { argon2id, hash, verify } from 'argon2';
import { DomainError } from '../../common/errors/domain-error.js';
import { AuthErrors } from './contracts/auth.errors.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './contracts/auth.messages.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /**
   * Checks a password against a stored hash, or, when there is no account, against a hash of nothing,
   * so an unknown email costs the same time as a wrong password.
   */
  async verify(storedHash: string | undefined, password: string): Promise<boolean> {
    this.dummy ??= this.hash('no account has this password');
    const target = storedHash ?? (await this.dummy);
    const matches = await verify(target, password).catch(() => false);
    return storedHash !== undefined && matches;
  }
}

/** AUTH.WEAK_PASSWORD unless the password is long enough, varied enough, and not the email's name. */
export function assertStrongPassword(password: string, email: string): void {
  const length = [...password].length;
  const problems: string[] = [];
  if (length < PASSWORD_MIN_LENGTH) problems.push(`at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`at most ${PASSWORD_MAX_LENGTH} characters`);
  if (new Set(password).size < 5) problems.push('at least 5 different characters');
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && password.toLowerCase().includes(local)) problems.push('not containing the email address');
  if (problems.length) throw new DomainError(AuthErrors.WEAK_PASSWORD, `The password must have ${problems.join(', ')}`);
}
