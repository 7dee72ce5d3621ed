import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { UserIdentity } from '../../common/identity/identity.js';
import { unauthenticated } from '../../common/identity/token.verifier.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { EventTransaction } from '../../common/events/inbox.js';
import { Outbox } from '../../common/events/outbox.js';
import { AuthErrors } from './contracts/auth.errors.js';
import { AuthEvents, type CredentialsChanged } from './contracts/auth.events.js';
import type { ChangePasswordRequest, LoginRequest, SessionGrant } from './contracts/auth.messages.js';
import { activeCredential, type Credential } from './credential.row.js';
import { FailedAttempts } from './failed-attempts.js';
import { assertStrongPassword, PasswordHasher } from './password.hasher.js';
import { SessionsService } from './sessions.service.js';

const invalidCredentials = () => new DomainError(AuthErrors.INVALID_CREDENTIALS, 'The email or password is wrong');

/** Signing in, changing a password, and forgetting the credentials of a deleted account. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource('auth') private readonly db: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly outbox: Outbox,
    private readonly attempts: FailedAttempts,
  ) {}

  /** The same answer, in about the same time, for an unknown email and a wrong password. */
  async login({ email, password }: LoginRequest): Promise<SessionGrant> {
    const account = `login:${email}`;
    const hadFailures = await this.attempts.assertAllowed(account);
    const credential = await activeCredential(this.db, { email });
    if (!(await this.hasher.verify(credential?.passwordHash, password)) || !credential) {
      await this.attempts.failed(account);
      throw invalidCredentials();
    }
    await this.attempts.succeeded(account, hadFailures);
    return this.sessions.issue(credential);
  }

  /**
   * Every token issued before the change stops working: the version moves on, the refresh tokens are
   * revoked, and `auth.credentials-changed` tells every other core, all in one transaction.
   */
  async changePassword(identity: UserIdentity, { currentPassword, newPassword }: ChangePasswordRequest): Promise<SessionGrant> {
    const credential = await this.current(identity);
    const account = `password:${credential.userId}`;
    const hadFailures = await this.attempts.assertAllowed(account);
    if (!(await this.hasher.verify(credential.passwordHash, currentPassword))) {
      await this.attempts.failed(account);
      throw invalidCredentials();
    }
    await this.attempts.succeeded(account, hadFailures);
    assertStrongPassword(newPassword, credential.email);
    const passwordHash = await this.hasher.hash(newPassword);
    const version = credential.version + 1;
    const eventId = randomUUID();
    // Answer once the other cores refuse the old tokens (normally): a client that just changed its
    // password expects its old tokens to be dead everywhere.
    const revoked = this.outbox.settled(eventId, AuthEvents.CREDENTIALS_CHANGED);
    await this.outbox.transaction(async (manager) => {
      // TypeORM answers an UPDATE with [rows, affected count].
      const [changed]: [unknown[], number] = await manager.query(
        `UPDATE "auth"."credentials" SET password_hash = $3, version = $4, updated_at = now()
         WHERE user_id = $1 AND version = $2 RETURNING user_id`,
        [credential.userId, credential.version, passwordHash, version],
      );
      if (!changed.length) throw unauthenticated('The token is no longer valid');
      await this.sessions.revokeAllOf(credential.userId, manager);
      await this.announce(manager, { userId: credential.userId, version, role: credential.role, active: true }, eventId);
    });
    await revoked;
    return this.sessions.issue({ ...credential, passwordHash, version });
  }

  /**
   * The account's profile was deleted: its credentials (and with them its refresh tokens) go, and the
   * other cores learn that its tokens are no longer valid. Applied once, inside the inbox transaction.
   */
  async forget(tx: EventTransaction, userId: string): Promise<void> {
    const [gone]: [Array<{ version: number; role: Credential['role'] }>, number] = await tx.manager.query(
      'DELETE FROM "auth"."credentials" WHERE user_id = $1 RETURNING version, role',
      [userId],
    );
    if (!gone.length) return;
    await this.announce(tx.manager, { userId, version: gone[0].version + 1, role: gone[0].role, active: false });
    tx.afterCommit(() => this.outbox.signal.notify());
  }

  /** The caller's active credentials, if the token's version and role are still theirs. */
  async current(identity: UserIdentity): Promise<Credential> {
    const credential = await activeCredential(this.db, { userId: identity.userId });
    if (!credential || credential.version !== identity.version || credential.role !== identity.role) {
      throw unauthenticated('The token is no longer valid');
    }
    return credential;
  }

  private announce(manager: EntityManager, change: CredentialsChanged, id?: string): Promise<string> {
    return this.outbox.publish(manager, AuthEvents.CREDENTIALS_CHANGED, change.userId, change, id);
  }
}
