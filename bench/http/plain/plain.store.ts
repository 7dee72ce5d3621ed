import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../../src/common/errors/domain-error.js';
import { OrdersErrors, type OrderReply } from '../../../src/modules/orders/index.js';
import type { OrderLine } from '../../../src/modules/orders/order.row.js';
import { toUserReply, USER_COLUMNS, type UserRow } from '../../../src/modules/users/user.row.js';
import { UsersErrors, type UserReply } from '../../../src/modules/users/index.js';

/**
 * The statements the monolith runs for the benchmarked routes, on its tables, from one data source:
 * the users core's read of a profile, the same read as the check that the buyer exists, and the orders
 * core's insert (which takes the account's lock through `account_open_for_orders`).
 */
@Injectable()
export class PlainStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async user(id: string): Promise<UserReply | undefined> {
    const [row]: UserRow[] = await this.db.query(`SELECT ${USER_COLUMNS} FROM "users"."users" WHERE id = $1`, [id]);
    return row && toUserReply(row);
  }

  async placeOrder(userId: string, items: OrderLine[]): Promise<OrderReply> {
    if (!(await this.user(userId))) throw new DomainError(OrdersErrors.USER_NOT_FOUND, 'The order names a user that does not exist');
    const id = randomUUID();
    const totalCents = items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
    const [row]: Array<{ created_at: Date | string; updated_at: Date | string }> = await this.db.query(
      `INSERT INTO "orders"."orders" (id, user_id, status, items, total_cents) SELECT $1, $2, 'pending', $3, $4
       WHERE "orders"."account_open_for_orders"($2)
       RETURNING created_at, updated_at`,
      [id, userId, JSON.stringify(items), totalCents],
    );
    if (!row) throw new DomainError(OrdersErrors.USER_NOT_FOUND, 'The order names a user that does not exist');
    return {
      id,
      userId,
      status: 'pending',
      items: items.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents })),
      totalCents,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }
}

export const userNotFound = () => new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');
