import { defineModuleContract } from '../../../common/contracts/operation.js';
import { OrdersOperations } from './orders.operations.js';

/** The orders module's public surface as data: it publishes no events. */
export const ordersContract = defineModuleContract({ name: 'orders', operations: OrdersOperations, events: {} });
