import type { EntityManager } from 'typeorm';
import type { Role } from './contracts/auth.access.js';

/**
 * An account's credentials. Registration writes them `active`; `pending` is kept by the schema for
 * rows from before registration was one transaction, and such a row can neither sign in nor refresh.
 */
export type CredentialStatus = 'pending' | 'active';

/** An account's credentials as the services work with them. */
export interface Credential {
  /** The users profile's id. A plain value: no key crosses schemas. */
  userId: string;
  email: string;
  /** argon2id, in the PHC string format (algorithm, parameters and salt included). */
  passwordHash: string;
  role: Role;
  status: CredentialStatus;
  /** Bumped on every password change; tokens carry the version they were issued under. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A row of `"auth"."credentials"` (migrations/auth) as the driver returns it: timestamps as Date (pg)
 * or text. Every statement of the module is plain SQL; credentials are read through `credentialFromRow`.
 */
export interface CredentialRow {
  user_id: string;
  email: string;
  password_hash: string;
  role: Role;
  status: CredentialStatus;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export const CREDENTIAL_COLUMNS = 'user_id, email, password_hash, role, status, version, created_at, updated_at';

export function credentialFromRow(r: CredentialRow): Credential {
  return {
    userId: r.user_id,
    email: r.email,
    passwordHash: r.password_hash,
    role: r.role,
    status: r.status,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** The active credentials with this email, or of this account: the one read sign-in, refresh and password change share. */
export async function activeCredential(
  db: Pick<EntityManager, 'query'>,
  by: { email: string } | { userId: string },
): Promise<Credential | undefined> {
  const [column, value] = 'email' in by ? ['email', by.email] : ['user_id', by.userId];
  const [row]: CredentialRow[] = await db.query(
    `SELECT ${CREDENTIAL_COLUMNS} FROM "auth"."credentials" WHERE ${column} = $1 AND status = 'active'`,
    [value],
  );
  return row && credentialFromRow(row);
}
