import { UseGuards } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/identity/identity.js';
import { Caller, IdentityGuard } from '../../common/identity/identity.guard.js';
import { Handles } from '../../common/contracts/handles.decorator.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { OrdersOperations } from './contracts/orders.operations.js';
import { CancelOrderRequest, GetOrderRequest, ListOrdersRequest, PlaceOrderRequest } from './contracts/orders.messages.js';
import { OrdersService } from './orders.service.js';

@MessageHandlers()
@UseGuards(IdentityGuard)
export class OrdersHandlers {
  constructor(private readonly orders: OrdersService) {}

  @Handles(OrdersOperations.place)
  place(@Payload() request: PlaceOrderRequest, @Caller() caller: Identity) {
    return this.orders.place(request, caller);
  }

  @Handles(OrdersOperations.get)
  get(@Payload() request: GetOrderRequest, @Caller() caller: Identity) {
    return this.orders.get(request.id, caller);
  }

  @Handles(OrdersOperations.list)
  list(@Payload() request: ListOrdersRequest, @Caller() caller: Identity) {
    return this.orders.list(request, caller);
  }

  @Handles(OrdersOperations.cancel)
  cancel(@Payload() request: CancelOrderRequest, @Caller() caller: Identity) {
    return this.orders.cancel(request.id, caller);
  }

  @Handles(OrdersOperations.ping)
  ping() {
    return { module: 'orders' };
  }
}
