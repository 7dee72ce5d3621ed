import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../../common/auth/identity.js';

/**
 * A registration's credentials. `pending` while its users profile is being created: a pending row can
 * neither log in nor verify, and is removed if the registration fails.
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
