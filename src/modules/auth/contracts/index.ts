export * from './auth.access.js';
export * from './auth.client.js';
export * from './auth.contract.js';
export * from './auth.errors.js';
export * from './auth.events.js';
export * from './auth.messages.js';
export * from './auth.operations.js';
