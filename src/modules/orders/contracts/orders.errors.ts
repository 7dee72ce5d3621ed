import { defineErrors } from '../../../common/errors/domain-error.js';

/** Error codes the orders core answers with, and their HTTP status. */
export const OrdersErrors = defineErrors({
  NOT_FOUND: { code: 'ORDERS.NOT_FOUND', status: 404 },
  USER_NOT_FOUND: { code: 'ORDERS.USER_NOT_FOUND', status: 422 },
  NOT_CANCELLABLE: { code: 'ORDERS.NOT_CANCELLABLE', status: 409 },
  INVALID_CURSOR: { code: 'ORDERS.INVALID_CURSOR', status: 400 },
  /** An Idempotency-Key sent again with a different body within 24 hours. */
  IDEMPOTENCY_KEY_REUSED: { code: 'ORDERS.IDEMPOTENCY_KEY_REUSED', status: 422 },
});
