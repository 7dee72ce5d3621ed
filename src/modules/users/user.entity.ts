import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '../../common/pagination/cursor.js';

@Entity({ schema: 'users', name: 'users' })
export class User {
  @PrimaryColumn('uuid')
  id: string;

  /** Insertion order, for stable keyset pagination. Assigned by the database. */
  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintAsNumber })
  seq: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Trimmed and lower-cased; unique. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
