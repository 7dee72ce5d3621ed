import { Module } from '@nestjs/common';
import { usersMigrations } from '../../../migrations/users/index.js';
import { IdentityModule } from '../../common/identity/identity.module.js';
import type { ModuleDefinition } from '../../common/contracts/module-definition.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { EventsModule } from '../../common/events/events.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { AuthEvents } from '../auth/index.js';
import { UsersClient } from './contracts/users.client.js';
import { usersContract } from './contracts/users.contract.js';
import { UsersEventHandlers } from './users.event-handlers.js';
import { UsersHandlers } from './users.handlers.js';
import { UsersHttpController } from './users.http.controller.js';
import { UsersService } from './users.service.js';

/**
 * The users core: message handlers over the users schema. Profiles come from auth's registrations;
 * callers' tokens are checked against the core's own copy of credential versions.
 */
@Module({
  imports: [
    DatabaseModule.forModule({ name: 'users', migrations: usersMigrations }),
    IdentityModule.withCopy('users'),
    EventsModule.forModule('users'),
  ],
  controllers: [UsersHandlers],
  providers: [UsersService, UsersEventHandlers],
})
export class UsersCoreModule {}

/** The users HTTP API, which reaches the core only through UsersClient. */
@Module({
  imports: [BusClientModule.register('users', UsersClient), IdentityModule.checkedElsewhere()],
  controllers: [UsersHttpController],
})
export class UsersGatewayModule {}

export const usersModule: ModuleDefinition = {
  name: 'users',
  defaultTcpPort: 4001,
  contract: usersContract,
  uses: [],
  calls: [],
  subscribes: [AuthEvents.ACCOUNT_REGISTERED, AuthEvents.CREDENTIALS_CHANGED],
  core: UsersCoreModule,
  gateway: UsersGatewayModule,
  migrations: usersMigrations,
};
