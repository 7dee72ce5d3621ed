import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, QueryFailedError } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { Outbox } from '../../common/events/outbox.js';
import { AuthErrors } from './contracts/auth.errors.js';
import { type AccountRegistered, AuthEvents } from './contracts/auth.events.js';
import type { RegisterRequest, SessionGrant } from './contracts/auth.messages.js';
import type { Credential } from './credential.row.js';
import { assertStrongPassword, PasswordHasher } from './password.hasher.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';

const UNIQUE_VIOLATION = '23505';

/**
 * Registration is one transaction of the auth core: the credentials and the `auth.account-registered`
 * event that makes the users core create the profile. Nothing is half-made whatever fails, and auth
 * needs no other module to be up. The answer waits, within the settle window (EVENTS_SETTLE_MS), until the users core has
 * acknowledged the event, so the caller can use its profile right away in the normal case.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly issuer: TokenIssuer,
    private readonly outbox: Outbox,
  ) {}

  async register({ name, email, password }: RegisterRequest): Promise<SessionGrant> {
    assertStrongPassword(password, email);
    const credential: Credential = {
      userId: randomUUID(),
      email,
      passwordHash: await this.hasher.hash(password),
      role: 'user',
      status: 'active',
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const eventId = randomUUID();
    // Listening before the commit: in one process the acknowledgement can come back very quickly.
    const profileCreated = this.outbox.settled(eventId, AuthEvents.ACCOUNT_REGISTERED);
    try {
      await this.outbox.transaction(async (manager) => {
        if (email === this.issuer.settings.adminEmail && (await this.firstAdmin(manager))) credential.role = 'admin';
        await manager.query(
          `INSERT INTO "auth"."credentials" (user_id, email, password_hash, role, status, version, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            credential.userId,
            credential.email,
            credential.passwordHash,
            credential.role,
            credential.status,
            credential.version,
            credential.createdAt,
            credential.updatedAt,
          ],
        );
        await this.outbox.publish<AccountRegistered>(
          manager,
          AuthEvents.ACCOUNT_REGISTERED,
          credential.userId,
          {
            userId: credential.userId,
            name,
            email,
          },
          eventId,
        );
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) {
        throw new DomainError(AuthErrors.EMAIL_TAKEN, 'An account with this email already exists');
      }
      throw err;
    }
    await profileCreated;
    return this.sessions.issue(credential);
  }

  /**
   * Whether this registration of ADMIN_EMAIL is the schema's first: only that one is made an admin, so
   * nobody becomes admin by registering the address again after the admin account was deleted.
   * Later admins are promoted by an operator (`accounts:promote`).
   */
  private async firstAdmin(manager: EntityManager): Promise<boolean> {
    const claimed: unknown[] = await manager.query(
      `INSERT INTO "auth"."bootstrap" (step) VALUES ('first-admin') ON CONFLICT (step) DO NOTHING RETURNING step`,
    );
    return claimed.length === 1;
  }
}
