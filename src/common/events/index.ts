export * from './event.messages.js';
export * from './events.module.js';
export * from './events.registry.js';
export * from './inbox.js';
export * from './outbox.js';
