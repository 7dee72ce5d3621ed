export * from './database.module.js';
export * from './pglite.pool.js';
