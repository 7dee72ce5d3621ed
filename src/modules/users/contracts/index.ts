export * from './users.client.js';
export * from './users.errors.js';
export * from './users.messages.js';
export * from './users.patterns.js';
export * from './users.events.js';
