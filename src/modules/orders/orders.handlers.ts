import { UseGuards } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/auth/identity.js';
import { Caller, IdentityGuard, Public } from '../../common/auth/identity.guard.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { OrdersPatterns } from './contracts/orders.patterns.js';
import { CancelOrderRequest, GetOrderRequest, ListOrdersRequest, PlaceOrderRequest } from './contracts/orders.messages.js';
import { OrdersService } from './orders.service.js';

@MessageHandlers()
@UseGuards(IdentityGuard)
export class OrdersHandlers {
  constructor(private readonly orders: OrdersService) {}

  @MessagePattern(OrdersPatterns.PLACE)
  place(@Payload() request: PlaceOrderRequest, @Caller() caller: Identity) {
    return this.orders.place(request, caller);
  }

  @MessagePattern(OrdersPatterns.GET)
  get(@Payload() request: GetOrderRequest, @Caller() caller: Identity) {
    return this.orders.get(request.id, caller);
  }

  @MessagePattern(OrdersPatterns.LIST)
  list(@Payload() request: ListOrdersRequest, @Caller() caller: Identity) {
    return this.orders.list(request, caller);
  }

  @MessagePattern(OrdersPatterns.CANCEL)
  cancel(@Payload() request: CancelOrderRequest, @Caller() caller: Identity) {
    return this.orders.cancel(request.id, caller);
  }

  @Public()
  @MessagePattern(OrdersPatterns.PING)
  ping() {
    return { module: 'orders' };
  }
}
