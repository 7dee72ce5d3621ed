import type { OrderStatus } from './contracts/orders.messages.js';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

/** An order as the service works with it. */
export interface Order {
  id: string;
  /** The user's id in the users module. A plain value: no key crosses schemas. */
  userId: string;
  status: OrderStatus;
  /** The order's lines, stored with the order they belong to. */
  items: OrderLine[];
  totalCents: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A row of `"orders"."orders"` (migrations/orders) as the driver returns it: bigints as text (pg) or
 * numbers, timestamps as Date (pg) or text. Every statement of the module is plain SQL over this
 * shape, mapped by `orderFromRow`.
 */
export interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  items: OrderLine[];
  total_cents: string | number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The columns of an order's reply (`cancel_reason` is kept for operators, not answered). */
export const ORDER_COLUMNS = 'id, user_id, status, items, total_cents, created_at, updated_at';

export function orderFromRow(r: OrderRow): Order {
  return {
    id: r.id,
    userId: r.user_id,
    status: r.status,
    items: r.items,
    totalCents: Number(r.total_cents),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}
