export * from './orders.client.js';
export * from './orders.contract.js';
export * from './orders.errors.js';
export * from './orders.messages.js';
export * from './orders.operations.js';
