import { IdentityErrors } from '../../../common/identity/identity.errors.js';
import { defineOperation, pingOperation } from '../../../common/contracts/operation.js';
import { BusErrors } from '../../../common/errors/common.errors.js';
import { OrdersErrors } from './orders.errors.js';
import {
  CancelOrderRequest,
  GetOrderRequest,
  ListOrdersRequest,
  OrderPageReply,
  OrderReply,
  PlaceOrderRequest,
} from './orders.messages.js';

/**
 * The operations the orders core serves: the one place where each is declared. A user reaches only
 * their own orders (another's order answers ORDERS.NOT_FOUND, as a missing one does), an admin all.
 */
export const OrdersOperations = {
  place: defineOperation({
    pattern: 'orders.place',
    summary: "Places an order for the caller, once the users core confirms the caller's profile exists (users.get).",
    request: PlaceOrderRequest,
    reply: OrderReply,
    // The BUS codes are those of the users.get call it makes, passed on.
    errors: [
      IdentityErrors.FORBIDDEN,
      OrdersErrors.USER_NOT_FOUND,
      OrdersErrors.IDEMPOTENCY_KEY_REUSED,
      BusErrors.UNAVAILABLE,
      BusErrors.TIMEOUT,
      BusErrors.UNKNOWN_PATTERN,
    ],
    idempotent: { key: 'idempotencyKey' },
    access: 'user',
  }),
  get: defineOperation({
    pattern: 'orders.get',
    summary: 'One order.',
    request: GetOrderRequest,
    reply: OrderReply,
    errors: [OrdersErrors.NOT_FOUND],
    idempotent: true,
    access: 'caller',
  }),
  list: defineOperation({
    pattern: 'orders.list',
    summary: "A page of orders, oldest first: the caller's, one user's for an admin, or all for an admin naming nobody.",
    request: ListOrdersRequest,
    reply: OrderPageReply,
    errors: [OrdersErrors.INVALID_CURSOR, IdentityErrors.FORBIDDEN],
    idempotent: true,
    access: 'caller',
  }),
  cancel: defineOperation({
    pattern: 'orders.cancel',
    summary: 'Cancels a pending order.',
    request: CancelOrderRequest,
    reply: OrderReply,
    errors: [OrdersErrors.NOT_FOUND, OrdersErrors.NOT_CANCELLABLE],
    idempotent: false,
    access: 'caller',
  }),
  ping: pingOperation('orders'),
} as const;
