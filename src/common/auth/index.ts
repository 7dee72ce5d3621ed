export * from './access.policy.js';
export * from './auth.settings.js';
export * from './credential-versions.js';
export * from './identity.js';
export * from './identity.errors.js';
export * from './identity.guard.js';
export * from './identity.module.js';
export * from './token.verifier.js';
