import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ordersMigrations } from '../../../migrations/orders/index.js';
import { IdentityModule } from '../../common/identity/identity.module.js';
import { type ModuleDefinition, modulesCalled } from '../../common/contracts/module-definition.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { RetentionSchedule } from '../../common/database/retention.js';
import { EventsModule } from '../../common/events/events.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { AuthEvents } from '../auth/index.js';
import { UsersClient, UsersEvents, UsersOperations } from '../users/index.js';
import { OrdersClient } from './contracts/orders.client.js';
import { ordersContract } from './contracts/orders.contract.js';
import { IdempotencyKeys, KEY_LIFETIME } from './idempotency.store.js';
import { OrdersEventHandlers } from './orders.event-handlers.js';
import { OrdersHandlers } from './orders.handlers.js';
import { OrdersHttpController } from './orders.http.controller.js';
import { OrdersService } from './orders.service.js';

/**
 * The orders core: message handlers over the orders schema. It asks the users core whether a buyer
 * exists, and follows users' deletions and auth's credential changes through events.
 */
@Module({
  imports: [
    DatabaseModule.forModule({ name: 'orders', migrations: ordersMigrations }),
    BusClientModule.register('users', UsersClient),
    IdentityModule.withCopy('orders'),
    EventsModule.forModule('orders'),
  ],
  controllers: [OrdersHandlers],
  providers: [OrdersService, IdempotencyKeys, OrdersEventHandlers],
})
export class OrdersCoreModule implements OnModuleInit {
  constructor(
    private readonly retention: RetentionSchedule,
    @InjectDataSource('orders') private readonly dataSource: DataSource,
  ) {}

  /** Idempotency keys are deleted once past their lifetime (a replay after it places a new order anyway). */
  onModuleInit(): void {
    this.retention.add(this.dataSource, { table: '"orders"."idempotency_keys"', where: `created_at < now() - interval '${KEY_LIFETIME}'` });
  }
}

/** The orders HTTP API, which reaches the core only through OrdersClient. */
@Module({
  imports: [BusClientModule.register('orders', OrdersClient), IdentityModule.checkedElsewhere()],
  controllers: [OrdersHttpController],
})
export class OrdersGatewayModule {}

/** The operations of other modules the orders core calls. */
const uses = [UsersOperations.get];

export const ordersModule: ModuleDefinition = {
  name: 'orders',
  defaultTcpPort: 4002,
  contract: ordersContract,
  uses,
  calls: modulesCalled(uses),
  subscribes: [UsersEvents.USER_DELETED, AuthEvents.CREDENTIALS_CHANGED],
  core: OrdersCoreModule,
  gateway: OrdersGatewayModule,
  migrations: ordersMigrations,
};
