import { CreateOrders1763700000001 } from './1763700000001-create-orders.js';
import { OrdersEvents1763800000001 } from './1763800000001-orders-events.js';
import { OrdersReplicas1764900000001 } from './1764900000001-orders-replicas.js';

/** The orders schema's migrations, oldest first. */
export const ordersMigrations = [CreateOrders1763700000001, OrdersEvents1763800000001, OrdersReplicas1764900000001];
