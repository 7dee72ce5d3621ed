import type { BusChannel } from '../../../common/messaging/bus-channel.js';
import { OrdersPatterns } from './orders.patterns.js';
import type {
  CancelOrderRequest, GetOrderRequest, ListOrdersRequest, OrderPageReply, OrderReply, PlaceOrderRequest,
} from './orders.messages.js';

/** The typed way to reach the orders core, wherever it runs. Failures reject with a DomainError. */
export class OrdersClient {
  constructor(private readonly channel: BusChannel) {}

  place(request: PlaceOrderRequest): Promise<OrderReply> {
    return this.channel.send(OrdersPatterns.PLACE, request);
  }

  get(request: GetOrderRequest): Promise<OrderReply> {
    return this.channel.send(OrdersPatterns.GET, request, { idempotent: true });
  }

  list(request: ListOrdersRequest): Promise<OrderPageReply> {
    return this.channel.send(OrdersPatterns.LIST, request, { idempotent: true });
  }

  cancel(request: CancelOrderRequest): Promise<OrderReply> {
    return this.channel.send(OrdersPatterns.CANCEL, request);
  }

  ping(): Promise<{ module: string }> {
    return this.channel.send(OrdersPatterns.PING, {}, { idempotent: true });
  }
}
