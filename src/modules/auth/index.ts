import type { ModuleDefinition } from '../../common/config/module-definition.js';
import { AuthCoreModule, AuthGatewayModule } from './auth.module.js';

export * from './contracts/index.js';

export const authModule: ModuleDefinition = {
  name: 'auth',
  defaultTcpPort: 4003,
  calls: ['users'],
  core: AuthCoreModule,
  gateway: AuthGatewayModule,
};
