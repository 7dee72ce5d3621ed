import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Identity } from '../../common/identity/identity.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { keysetPage } from '../../common/pagination/keyset.js';
import { forbidden, isAdmin, mayAccess, requireUser } from '../auth/index.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { OrdersErrors } from './contracts/orders.errors.js';
import type { ListOrdersRequest, OrderPageReply, OrderReply, PlaceOrderRequest } from './contracts/orders.messages.js';
import { fingerprint, IdempotencyKeys } from './idempotency.store.js';
import { ORDER_COLUMNS, orderFromRow, type Order, type OrderLine, type OrderRow } from './order.row.js';

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource('orders') private readonly db: DataSource,
    private readonly users: UsersClient,
    private readonly keys: IdempotencyKeys,
  ) {}

  /** With an idempotency key, a replay answers the first order and asks nobody anything. */
  async place({ items, idempotencyKey }: PlaceOrderRequest, caller: Identity): Promise<OrderReply> {
    const { userId } = requireUser(caller);
    const lines = items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
    const check = () => this.assertUserExists(userId);
    const insert = (manager: EntityManager) => this.insert(manager, userId, lines);
    if (idempotencyKey === undefined) return check().then(() => insert(this.db.manager));
    return this.keys.once(userId, idempotencyKey, fingerprint(lines), check, insert);
  }

  async get(id: string, caller: Identity): Promise<OrderReply> {
    const [row]: OrderRow[] = await this.db.query(`SELECT ${ORDER_COLUMNS} FROM "orders"."orders" WHERE id = $1`, [id]);
    if (!row || !mayAccess(caller, row.user_id)) throw notFound();
    return toReply(orderFromRow(row));
  }

  async list(request: ListOrdersRequest, caller: Identity): Promise<OrderPageReply> {
    const { userId } = request;
    if (userId !== undefined && !mayAccess(caller, userId)) throw forbidden("Only an administrator may list another user's orders");
    const owner = userId ?? (caller.kind === 'user' && !isAdmin(caller) ? caller.userId : undefined);
    const { rows, nextCursor } = await keysetPage<OrderRow>(request, OrdersErrors.INVALID_CURSOR, (after, take) =>
      owner === undefined
        ? this.db.query(`SELECT ${ORDER_COLUMNS}, seq FROM "orders"."orders" WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, take])
        : this.db.query(`SELECT ${ORDER_COLUMNS}, seq FROM "orders"."orders" WHERE user_id = $3 AND seq > $1 ORDER BY seq LIMIT $2`, [
            after,
            take,
            owner,
          ]),
    );
    return { items: rows.map((row) => toReply(orderFromRow(row))), nextCursor };
  }

  /**
   * Only a pending order of the caller's (any order, for an admin or a module) can be cancelled: the
   * check, the change and the reply are one statement. Only when it changes nothing does a second one
   * tell a missing order from one that is no longer pending.
   */
  async cancel(id: string, caller: Identity): Promise<OrderReply> {
    const owner = caller.kind === 'user' && !isAdmin(caller) ? caller.userId : null;
    // TypeORM answers an UPDATE with [rows, affected count].
    const [[row]]: [OrderRow[], number] = await this.db.query(
      `UPDATE "orders"."orders" SET status = 'cancelled', cancel_reason = 'requested', updated_at = now()
       WHERE id = $1 AND status = 'pending' AND ($2::uuid IS NULL OR user_id = $2::uuid) RETURNING ${ORDER_COLUMNS}`,
      [id, owner],
    );
    if (row) return toReply(orderFromRow(row));
    const [current]: OrderRow[] = await this.db.query(`SELECT ${ORDER_COLUMNS} FROM "orders"."orders" WHERE id = $1`, [id]);
    if (!current || !mayAccess(caller, current.user_id)) throw notFound();
    throw new DomainError(OrdersErrors.NOT_CANCELLABLE, `The order is ${current.status}; only a pending order can be cancelled`);
  }

  /**
   * The account is gone: its pending orders are cancelled, inside the transaction that records the event
   * (which also records the account as gone in the credential copy). The account's lock makes an order
   * being placed for it either commit first (and be cancelled here) or wait and find the account gone.
   */
  async cancelAllOf(manager: EntityManager, userId: string): Promise<void> {
    await lockAccount(manager, userId);
    await manager.query(
      `UPDATE "orders"."orders" SET status = 'cancelled', cancel_reason = 'account-deleted', updated_at = now()
       WHERE user_id = $1 AND status = 'pending'`,
      [userId],
    );
  }

  /**
   * After the buyer was found, and only while the account is not known to be gone: its deletion may
   * have been applied since the check. `account_open_for_orders` (migrations/orders) takes the account's
   * lock, so the order either commits before a deletion cancels the account's orders, or waits for it
   * and is refused: never a pending order left behind by a deletion.
   */
  private async insert(manager: EntityManager, userId: string, items: OrderLine[]): Promise<OrderReply> {
    const id = randomUUID();
    const totalCents = items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
    const [row]: Array<{ created_at: Date | string; updated_at: Date | string }> = await manager.query(
      `INSERT INTO "orders"."orders" (id, user_id, status, items, total_cents) SELECT $1, $2, 'pending', $3, $4
       WHERE "orders"."account_open_for_orders"($2)
       RETURNING created_at, updated_at`,
      [id, userId, JSON.stringify(items), totalCents],
    );
    if (!row) throw new DomainError(OrdersErrors.USER_NOT_FOUND, 'The order names a user that does not exist');
    return toReply({
      id,
      userId,
      status: 'pending',
      items,
      totalCents,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    });
  }

  private async assertUserExists(userId: string): Promise<void> {
    try {
      await this.users.get({ id: userId });
    } catch (err) {
      if (err instanceof DomainError && err.code === UsersErrors.NOT_FOUND.code) {
        throw new DomainError(OrdersErrors.USER_NOT_FOUND, 'The order names a user that does not exist');
      }
      throw err;
    }
  }
}

/** Serialises, per account, placing an order and applying the account's deletion (until the transaction ends). */
const lockAccount = (manager: EntityManager, userId: string) =>
  manager.query(`SELECT pg_advisory_xact_lock(hashtext('orders:account:' || $1::uuid::text))`, [userId]);

/** Someone else's order answers exactly as a missing one does. */
const notFound = () => new DomainError(OrdersErrors.NOT_FOUND, 'No order has this id');

function toReply(o: Order): OrderReply {
  return {
    id: o.id,
    userId: o.userId,
    status: o.status,
    items: o.items.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents })),
    totalCents: o.totalCents,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
