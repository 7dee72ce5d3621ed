/** Message patterns served by the orders core. Payloads and replies in orders.messages.ts. */
export const OrdersPatterns = {
  /**
   * PlaceOrderRequest -> OrderReply. Asks the users core (`users.get`) whether the user exists first.
   * Errors: COMMON.VALIDATION_FAILED, ORDERS.USER_NOT_FOUND, BUS.UNAVAILABLE / BUS.TIMEOUT (users unreachable).
   */
  PLACE: 'orders.place',
  /** GetOrderRequest -> OrderReply. Errors: COMMON.VALIDATION_FAILED, ORDERS.NOT_FOUND. Idempotent. */
  GET: 'orders.get',
  /** ListOrdersRequest -> OrderPageReply (one user's orders, oldest first). Errors: COMMON.VALIDATION_FAILED, ORDERS.INVALID_CURSOR. Idempotent. */
  LIST: 'orders.list',
  /** CancelOrderRequest -> OrderReply. Errors: COMMON.VALIDATION_FAILED, ORDERS.NOT_FOUND, ORDERS.NOT_CANCELLABLE. */
  CANCEL: 'orders.cancel',
  /** {} -> PingReply. Used by readiness checks. */
  PING: 'orders.ping',
} as const;
