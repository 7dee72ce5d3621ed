import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from './contracts/auth.access.js';

/**
 * An account's credentials. Registration writes them `active`; `pending` is kept by the schema for
 * rows from before registration was one transaction, and such a row can neither sign in nor refresh.
 */
export type CredentialStatus = 'pending' | 'active';

@Entity({ schema: 'auth', name: 'credentials' })
export class Credential {
  /** The users profile's id. A plain value: no key crosses schemas. */
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** argon2id, in the PHC string format (algorithm, parameters and salt included). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 8 })
  role: Role;

  @Column({ type: 'varchar', length: 8 })
  status: CredentialStatus;

  /** Bumped on every password change; tokens carry the version they were issued under. */
  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
