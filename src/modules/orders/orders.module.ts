import { Module } from '@nestjs/common';
import { ordersMigrations } from '../../../migrations/orders/index.js';
import { IdentityModule } from '../../common/auth/identity.module.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { UsersClient } from '../users/index.js';
import { OrdersClient } from './contracts/orders.client.js';
import { Order } from './order.entity.js';
import { OrdersHandlers } from './orders.handlers.js';
import { OrdersHttpController } from './orders.http.controller.js';
import { OrdersService } from './orders.service.js';

/** The orders core: message handlers over the orders schema; asks the users core about users and the auth core whether a caller's token is current. */
@Module({
  imports: [
    DatabaseModule.forModule({ name: 'orders', entities: [Order], migrations: ordersMigrations }),
    BusClientModule.register('users', UsersClient),
    IdentityModule.forCore(),
  ],
  controllers: [OrdersHandlers],
  providers: [OrdersService],
})
export class OrdersCoreModule {}

/** The orders HTTP API, which reaches the core only through OrdersClient. */
@Module({
  imports: [BusClientModule.register('orders', OrdersClient), IdentityModule.forGateway()],
  controllers: [OrdersHttpController],
})
export class OrdersGatewayModule {}
