import type { ModuleDefinition } from '../../common/config/module-definition.js';
import { OrdersCoreModule, OrdersGatewayModule } from './orders.module.js';

export * from './contracts/index.js';

export const ordersModule: ModuleDefinition = {
  name: 'orders',
  defaultTcpPort: 4002,
  calls: ['users', 'auth'],
  core: OrdersCoreModule,
  gateway: OrdersGatewayModule,
};
