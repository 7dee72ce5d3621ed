import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { authConfig } from './auth.settings.js';
import { IDENTITY_AUTHORITY, UserIdentity, VERIFY_IDENTITY_PATTERN, VerifiedIdentity } from './identity.js';
import { unauthenticated } from './token.verifier.js';

/**
 * Answers whether the credential version (and role) a token was issued under is still the account's
 * current one, so a password change revokes every older token. Rejects with AUTH.UNAUTHENTICATED.
 */
export abstract class CredentialVersions {
  abstract assertCurrent(identity: UserIdentity): Promise<void>;
}

/**
 * For the HTTP gateway: the gateway only checks what a token proves by itself. Every protected route
 * reaches a core, and the core checks the version where the data lives, so the gateway adds no call.
 */
@Injectable()
export class CoreCheckedCredentialVersions extends CredentialVersions {
  async assertCurrent(): Promise<void> {}
}

/**
 * For cores other than the auth module's: asks the identity authority over the bus. The request carries
 * the caller's credential in its metadata (the core runs inside the caller's request context), so the
 * authority verifies the very token this core received. With AUTH_VERIFY_CACHE_MS > 0 a "current" answer
 * is reused for that long, which bounds how late a revocation can take effect here.
 */
@Injectable()
export class RemoteCredentialVersions extends CredentialVersions {
  private readonly confirmed = new Map<string, number>();

  constructor(
    private readonly channels: ChannelRegistry,
    @Inject(authConfig.KEY) private readonly settings: ConfigType<typeof authConfig>,
  ) {
    super();
  }

  async assertCurrent(identity: UserIdentity): Promise<void> {
    const key = `${identity.userId}:${identity.version}:${identity.role}`;
    const until = this.confirmed.get(key);
    if (until !== undefined && until > Date.now()) return;
    const verified = await this.channels
      .channel(IDENTITY_AUTHORITY)
      .send<VerifiedIdentity>(VERIFY_IDENTITY_PATTERN, {}, { idempotent: true });
    if (verified.userId !== identity.userId || verified.version !== identity.version || verified.role !== identity.role) {
      throw unauthenticated('The token is no longer valid');
    }
    if (this.settings.verifyCacheMs > 0) this.remember(key, Date.now() + this.settings.verifyCacheMs);
  }

  private remember(key: string, until: number): void {
    // A bounded map: expired entries go first, then the oldest.
    if (this.confirmed.size >= 10_000) {
      const now = Date.now();
      for (const [k, t] of this.confirmed) if (t <= now) this.confirmed.delete(k);
      if (this.confirmed.size >= 10_000) this.confirmed.delete(this.confirmed.keys().next().value!);
    }
    this.confirmed.set(key, until);
  }
}
