import type { UserIdentity } from './identity.js';

/**
 * Answers whether the credential version (and role) a token was issued under is still the account's
 * current one, so a password change or a deleted account revokes every older token. Rejects with
 * AUTH.UNAUTHENTICATED.
 */
export abstract class CredentialVersions {
  abstract assertCurrent(identity: UserIdentity): void | Promise<void>;
}

/**
 * For the HTTP gateway, and for the core that owns credentials: the gateway only checks what a token
 * proves by itself (every protected route reaches a core, which checks versions where the data lives);
 * the owning core reads the credential it is about to use anyway.
 */
export class CheckedElsewhere extends CredentialVersions {
  assertCurrent(): void {}
}
