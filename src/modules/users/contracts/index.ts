export * from './users.client.js';
export * from './users.contract.js';
export * from './users.errors.js';
export * from './users.events.js';
export * from './users.messages.js';
export * from './users.operations.js';
