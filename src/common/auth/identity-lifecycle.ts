import { Injectable } from '@nestjs/common';
import { ChannelRegistry } from '../messaging/channel.registry.js';
import { FORGET_IDENTITY_PATTERN, IDENTITY_AUTHORITY, SUSPEND_IDENTITY_PATTERN } from './identity.js';
import { ServiceTokens } from './service-tokens.js';

/**
 * Tells the identity authority about an account that is going away, so that deleting a profile never
 * leaves credentials that can still sign in. Calls carry the calling module's service token.
 */
@Injectable()
export class IdentityLifecycle {
  constructor(
    private readonly channels: ChannelRegistry,
    private readonly serviceTokens: ServiceTokens,
  ) {}

  /** From now on the account cannot sign in and its tokens are refused. */
  suspend(service: string, userId: string): Promise<unknown> {
    return this.call(service, SUSPEND_IDENTITY_PATTERN, userId);
  }

  /** Removes the suspended account's credentials for good. */
  forget(service: string, userId: string): Promise<unknown> {
    return this.call(service, FORGET_IDENTITY_PATTERN, userId);
  }

  private call(service: string, pattern: string, userId: string): Promise<unknown> {
    return this.serviceTokens.run(service, () =>
      this.channels.channel(IDENTITY_AUTHORITY).send(pattern, { userId }, { idempotent: true }),
    );
  }
}
