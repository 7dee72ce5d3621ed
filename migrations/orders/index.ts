import { CreateOrders1763700000001 } from './1763700000001-create-orders.js';

/** The orders schema's migrations, oldest first. */
export const ordersMigrations = [CreateOrders1763700000001];
