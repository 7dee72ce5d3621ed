import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, Repository } from 'typeorm';
import { busConfig } from '../../common/config/settings.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { AuthErrors } from './contracts/auth.errors.js';
import type { RegisterRequest, SessionGrant } from './contracts/auth.messages.js';
import { Credential } from './credential.entity.js';
import { assertStrongPassword, PasswordHasher } from './password.hasher.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';

const UNIQUE_VIOLATION = '23505';
const emailTaken = () => new DomainError(AuthErrors.EMAIL_TAKEN, 'An account with this email already exists');

/**
 * Registration spans two modules. The credentials are reserved first, as a `pending` row that cannot
 * sign in; then the users profile is created under the id the reservation chose; then the row becomes
 * `active`. Any failure removes what was made. Because the id is chosen here, a profile whose creation
 * had an unknown outcome (timeout, lost connection) can always be removed by id: if even that removal
 * cannot reach the users module, the pending row stays as the record of it, and the next registration
 * of the same email removes that profile first. So no path leaves a profile that nobody can sign in to,
 * or credentials without a profile.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger('Registration');
  /** A pending row older than this belongs to a registration that can no longer finish by itself. */
  private readonly staleAfterMs: number;

  constructor(
    @InjectRepository(Credential, 'auth') private readonly credentials: Repository<Credential>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly issuer: TokenIssuer,
    private readonly users: UsersClient,
    @Inject(busConfig.KEY) bus: ConfigType<typeof busConfig>,
  ) {
    this.staleAfterMs = Math.max(30_000, 3 * bus.deadlineMs);
  }

  async register({ name, email, password }: RegisterRequest): Promise<SessionGrant> {
    assertStrongPassword(password, email);
    const credential: Credential = {
      userId: randomUUID(), email, passwordHash: await this.hasher.hash(password),
      role: email === this.issuer.settings.adminEmail ? 'admin' : 'user',
      status: 'pending', version: 1, createdAt: new Date(), updatedAt: new Date(),
    };
    await this.reserve(credential);
    try {
      await this.issuer.asService(() => this.users.create({ id: credential.userId, name, email }));
    } catch (err) {
      // A refusal (4xx) means users made nothing; anything else may have made the profile.
      await this.undo(credential.userId, !(err instanceof DomainError && err.status < 500));
      throw err instanceof DomainError && err.code === UsersErrors.EMAIL_TAKEN.code ? emailTaken() : err;
    }
    try {
      const activated = await this.credentials.update({ userId: credential.userId, status: 'pending' }, { status: 'active' });
      if (!activated.affected) throw new Error('The pending registration disappeared before activation');
    } catch (err) {
      await this.undo(credential.userId, true);
      throw err;
    }
    return this.sessions.issue({ ...credential, status: 'active' });
  }

  /** Inserts the pending row; the email's unique key makes concurrent registrations of one email exclusive. */
  private async reserve(credential: Credential, attempt = 0): Promise<void> {
    try {
      await this.credentials.insert(credential);
      return;
    } catch (err) {
      if (!(err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION)) throw err;
    }
    const existing = await this.credentials.findOneBy({ email: credential.email });
    if (existing && !(await this.abandoned(existing))) throw emailTaken();
    if (existing) {
      await this.removeProfile(existing.userId, { required: true });
      await this.credentials.delete({ userId: existing.userId, status: existing.status });
    }
    if (attempt > 0) throw emailTaken();
    return this.reserve(credential, attempt + 1);
  }

  /**
   * Whether the email's existing credentials belong to nobody any more: a pending registration too old
   * to finish, or an account whose profile was deleted (users deletes profiles on its own).
   */
  private async abandoned(existing: Credential): Promise<boolean> {
    if (existing.status === 'pending') return Date.now() - existing.createdAt.getTime() > this.staleAfterMs;
    try {
      await this.issuer.asService(() => this.users.get({ id: existing.userId }));
      return false;
    } catch (err) {
      if (err instanceof DomainError && err.code === UsersErrors.NOT_FOUND.code) return true;
      throw err;
    }
  }

  /** Removes a failed registration: its profile if one may exist, then its pending row once no profile can remain. */
  private async undo(userId: string, profileMayExist: boolean): Promise<void> {
    if (profileMayExist && !(await this.removeProfile(userId, { required: false }))) {
      this.logger.warn({ userId }, 'Registration failed and its profile could not be confirmed removed; the pending reservation is kept');
      return;
    }
    await this.credentials.delete({ userId, status: 'pending' }).catch((err: unknown) => {
      this.logger.error({ err, userId }, 'Could not remove a pending registration; the next registration of its email replaces it');
    });
  }

  /** Whether the profile is gone afterwards. With `required`, failing to reach users rejects instead. */
  private async removeProfile(id: string, { required }: { required: boolean }): Promise<boolean> {
    try {
      await this.issuer.asService(() => this.users.delete({ id }));
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.code === UsersErrors.NOT_FOUND.code) return true;
      if (required) throw err;
      return false;
    }
  }
}
