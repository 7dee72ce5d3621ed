import type { ModuleDefinition } from './common/config/module-definition.js';
import { authModule } from './modules/auth/index.js';
import { ordersModule } from './modules/orders/index.js';
import { usersModule } from './modules/users/index.js';

/** Every bounded context of the application. */
export const MODULE_DEFINITIONS: readonly ModuleDefinition[] = [usersModule, ordersModule, authModule];
