import type { Identity, UserIdentity } from '../../../common/identity/identity.js';
import { IdentityErrors } from '../../../common/identity/identity.errors.js';
import { DomainError } from '../../../common/errors/domain-error.js';

/** What an account may do everywhere: `admin` may read and list every user's data. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `identity` may see and change data owned by `ownerId`: its owner, an admin, or a module. */
export function mayAccess(identity: Identity, ownerId: string): boolean {
  return identity.kind === 'service' || identity.role === 'admin' || identity.userId === ownerId.toLowerCase();
}

export function isAdmin(identity: Identity): boolean {
  return identity.kind === 'user' && identity.role === 'admin';
}

export const forbidden = (message: string) => new DomainError(IdentityErrors.FORBIDDEN, message);

/** The caller as a person; a module's service token cannot act for one. */
export function requireUser(identity: Identity): UserIdentity {
  if (identity.kind !== 'user') throw forbidden('This operation acts for a signed-in user');
  return identity;
}

export function requireAdmin(identity: Identity): void {
  if (!isAdmin(identity)) throw forbidden('Only an administrator may do this');
}
