import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { OrdersPatterns } from './contracts/orders.patterns.js';
import { CancelOrderRequest, GetOrderRequest, ListOrdersRequest, PlaceOrderRequest } from './contracts/orders.messages.js';
import { OrdersService } from './orders.service.js';

@MessageHandlers()
export class OrdersHandlers {
  constructor(private readonly orders: OrdersService) {}

  @MessagePattern(OrdersPatterns.PLACE)
  place(@Payload() request: PlaceOrderRequest) {
    return this.orders.place(request);
  }

  @MessagePattern(OrdersPatterns.GET)
  get(@Payload() request: GetOrderRequest) {
    return this.orders.get(request.id);
  }

  @MessagePattern(OrdersPatterns.LIST)
  list(@Payload() request: ListOrdersRequest) {
    return this.orders.list(request);
  }

  @MessagePattern(OrdersPatterns.CANCEL)
  cancel(@Payload() request: CancelOrderRequest) {
    return this.orders.cancel(request.id);
  }

  @MessagePattern(OrdersPatterns.PING)
  ping() {
    return { module: 'orders' };
  }
}
