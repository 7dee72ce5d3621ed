import { ModuleClient } from '../../../common/contracts/module.client.js';
import { OrdersOperations } from './orders.operations.js';

/** The typed way to reach the orders core, wherever it runs. Failures reject with a DomainError. */
export class OrdersClient extends ModuleClient {
  /** Retried after a transport failure only when the request carries an idempotencyKey. */
  readonly place = this.call(OrdersOperations.place);
  readonly get = this.call(OrdersOperations.get);
  readonly list = this.call(OrdersOperations.list);
  readonly cancel = this.call(OrdersOperations.cancel);
  readonly ping = this.call(OrdersOperations.ping);
}
