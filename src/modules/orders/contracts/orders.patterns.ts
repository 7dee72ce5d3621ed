/**
 * Message patterns served by the orders core. Payloads and replies in orders.messages.ts. Every pattern
 * but `ping` needs a verified caller in the packet's `authorization` metadata (AUTH.UNAUTHENTICATED
 * otherwise); a user reaches only their own orders (another's order answers ORDERS.NOT_FOUND), an admin
 * reaches all.
 */
export const OrdersPatterns = {
  /**
   * PlaceOrderRequest -> OrderReply, owned by the caller. Asks the users core (`users.get`) whether the
   * caller's profile exists first. Errors: COMMON.VALIDATION_FAILED, AUTH.FORBIDDEN (not a user),
   * ORDERS.USER_NOT_FOUND, BUS.UNAVAILABLE / BUS.TIMEOUT (users unreachable).
   */
  PLACE: 'orders.place',
  /** GetOrderRequest -> OrderReply. Errors: COMMON.VALIDATION_FAILED, ORDERS.NOT_FOUND. Idempotent. */
  GET: 'orders.get',
  /**
   * ListOrdersRequest -> OrderPageReply (oldest first): the caller's orders, one user's for an admin, or all
   * for an admin naming nobody. Errors: COMMON.VALIDATION_FAILED, AUTH.FORBIDDEN, ORDERS.INVALID_CURSOR. Idempotent.
   */
  LIST: 'orders.list',
  /** CancelOrderRequest -> OrderReply. Errors: COMMON.VALIDATION_FAILED, ORDERS.NOT_FOUND, ORDERS.NOT_CANCELLABLE. */
  CANCEL: 'orders.cancel',
  /** {} -> PingReply. Used by readiness checks. */
  PING: 'orders.ping',
} as const;
