import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '../../common/pagination/cursor.js';
import type { OrderStatus } from './contracts/orders.messages.js';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

@Entity({ schema: 'orders', name: 'orders' })
export class Order {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'bigint', insert: false, update: false, transformer: bigintAsNumber })
  seq: number;

  /** The user's id in the users module. A plain value: no key crosses schemas. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  /** Why a cancelled order was cancelled: by its owner, or because the account was deleted. */
  @Column({ name: 'cancel_reason', type: 'varchar', length: 32, nullable: true })
  cancelReason?: 'requested' | 'account-deleted' | null;

  /** The order's lines, stored with the order they belong to. */
  @Column({ type: 'jsonb' })
  items: OrderLine[];

  @Column({ name: 'total_cents', type: 'bigint', transformer: bigintAsNumber })
  totalCents: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
