import type { ModuleDefinition } from '../../common/config/module-definition.js';
import { UsersCoreModule, UsersGatewayModule } from './users.module.js';

export * from './contracts/index.js';

export const usersModule: ModuleDefinition = {
  name: 'users',
  defaultTcpPort: 4001,
  calls: ['auth'],
  core: UsersCoreModule,
  gateway: UsersGatewayModule,
};
