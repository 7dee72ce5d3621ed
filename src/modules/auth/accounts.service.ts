import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { UserIdentity, VerifiedIdentity } from '../../common/auth/identity.js';
import { unauthenticated } from '../../common/auth/token.verifier.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AuthErrors } from './contracts/auth.errors.js';
import type { AccountRef, ChangePasswordRequest, LoginRequest, SessionGrant } from './contracts/auth.messages.js';
import { Credential } from './credential.entity.js';
import { assertStrongPassword, PasswordHasher } from './password.hasher.js';
import { SessionsService } from './sessions.service.js';

const invalidCredentials = () => new DomainError(AuthErrors.INVALID_CREDENTIALS, 'The email or password is wrong');

/** Signing in, changing a password, and answering whether a token's credential version is current. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(Credential, 'auth') private readonly credentials: Repository<Credential>,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {}

  /** The same answer, in about the same time, for an unknown email and a wrong password. */
  async login({ email, password }: LoginRequest): Promise<SessionGrant> {
    const credential = await this.credentials.findOneBy({ email, status: 'active' });
    if (!(await this.hasher.verify(credential?.passwordHash, password)) || !credential) throw invalidCredentials();
    return this.sessions.issue(credential);
  }

  /** Every token issued before the change stops working: the version moves on and the refresh tokens are revoked. */
  async changePassword(identity: UserIdentity, { currentPassword, newPassword }: ChangePasswordRequest): Promise<SessionGrant> {
    const credential = await this.current(identity);
    if (!(await this.hasher.verify(credential.passwordHash, currentPassword))) throw invalidCredentials();
    assertStrongPassword(newPassword, credential.email);
    const passwordHash = await this.hasher.hash(newPassword);
    const changed = await this.credentials.update(
      { userId: credential.userId, version: credential.version },
      { passwordHash, version: credential.version + 1 },
    );
    if (!changed.affected) throw unauthenticated('The token is no longer valid');
    await this.sessions.revokeAllOf(credential.userId);
    return this.sessions.issue({ ...credential, passwordHash, version: credential.version + 1 });
  }

  /**
   * The account goes inactive: it cannot sign in, its version moves on (every access token is refused)
   * and its refresh tokens are revoked. Inactive credentials are what registration also keeps for an
   * account whose profile may exist, so a later registration of the email cleans up after a half-done delete.
   */
  async suspend(userId: string): Promise<AccountRef> {
    const credential = await this.credentials.findOneBy({ userId });
    if (credential) {
      await this.credentials.update({ userId }, { status: 'pending', version: credential.version + 1 });
      await this.sessions.revokeAllOf(userId);
    }
    return { userId };
  }

  /** Removes suspended credentials (and, with them, their refresh tokens). Active credentials are left alone. */
  async forget(userId: string): Promise<AccountRef> {
    await this.credentials.delete({ userId, status: 'pending' });
    return { userId };
  }

  async verify(identity: UserIdentity): Promise<VerifiedIdentity> {
    const credential = await this.current(identity);
    return { userId: credential.userId, role: credential.role, version: credential.version };
  }

  /** The caller's active credentials, if the token's version and role are still theirs. */
  async current(identity: UserIdentity): Promise<Credential> {
    const credential = await this.credentials.findOneBy({ userId: identity.userId, status: 'active' });
    if (!credential || credential.version !== identity.version || credential.role !== identity.role) {
      throw unauthenticated('The token is no longer valid');
    }
    return credential;
  }
}
