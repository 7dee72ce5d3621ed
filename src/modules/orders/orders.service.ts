import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { forbidden, isAdmin, mayAccess, requireUser } from '../../common/auth/access.policy.js';
import type { Identity } from '../../common/auth/identity.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { keysetPage } from '../../common/pagination/keyset.js';
import { UsersClient, UsersErrors } from '../users/index.js';
import { OrdersErrors } from './contracts/orders.errors.js';
import type { ListOrdersRequest, OrderPageReply, OrderReply, PlaceOrderRequest } from './contracts/orders.messages.js';
import { Order } from './order.entity.js';

@Injectable()
export class OrdersService {
  constructor(
    @InjectRepository(Order, 'orders') private readonly orders: Repository<Order>,
    private readonly users: UsersClient,
  ) {}

  async place({ items }: PlaceOrderRequest, caller: Identity): Promise<OrderReply> {
    const { userId } = requireUser(caller);
    await this.assertUserExists(userId);
    const lines = items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
    const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
    const id = randomUUID();
    await this.orders.insert({ id, userId, status: 'pending', items: lines, totalCents });
    return toReply(await this.find(id));
  }

  async get(id: string, caller: Identity): Promise<OrderReply> {
    return toReply(await this.find(id, caller));
  }

  async list(request: ListOrdersRequest, caller: Identity): Promise<OrderPageReply> {
    const { userId } = request;
    if (userId !== undefined && !mayAccess(caller, userId)) throw forbidden("Only an administrator may list another user's orders");
    const owner = userId ?? (caller.kind === 'user' && !isAdmin(caller) ? caller.userId : undefined);
    const query = this.orders.createQueryBuilder('o');
    if (owner !== undefined) query.where('o.user_id = :owner', { owner });
    const { rows, nextCursor } = await keysetPage(query, request, OrdersErrors.INVALID_CURSOR);
    return { items: rows.map(toReply), nextCursor };
  }

  /** Only a pending order can be cancelled; the check and the change are one statement. */
  async cancel(id: string, caller: Identity): Promise<OrderReply> {
    await this.find(id, caller);
    const result = await this.orders.update({ id, status: 'pending' }, { status: 'cancelled' });
    if (!result.affected) {
      const order = await this.find(id);
      throw new DomainError(OrdersErrors.NOT_CANCELLABLE, `The order is ${order.status}; only a pending order can be cancelled`);
    }
    return toReply(await this.find(id));
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

  /** Someone else's order answers exactly as a missing one does. */
  private async find(id: string, caller?: Identity): Promise<Order> {
    const order = await this.orders.findOneBy({ id });
    if (!order || (caller && !mayAccess(caller, order.userId))) throw new DomainError(OrdersErrors.NOT_FOUND, 'No order has this id');
    return order;
  }
}

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
