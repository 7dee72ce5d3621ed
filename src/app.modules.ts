import type { ModuleDefinition } from './common/contracts/module-definition.js';
import { authModule } from './modules/auth/auth.module.js';
import { ordersModule } from './modules/orders/orders.module.js';
import { usersModule } from './modules/users/users.module.js';

/**
 * The composition root: every bounded context of the application, and the only file that imports a
 * module's internals (its Nest modules). Modules see each other only through their contracts.
 */
export const MODULE_DEFINITIONS: readonly ModuleDefinition[] = [usersModule, ordersModule, authModule];
