export * from './auth.access.js';
export * from './auth.client.js';
export * from './auth.errors.js';
export * from './auth.messages.js';
export * from './auth.patterns.js';
export * from './auth.events.js';
