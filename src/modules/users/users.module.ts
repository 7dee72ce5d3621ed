import { Module } from '@nestjs/common';
import { usersMigrations } from '../../../migrations/users/index.js';
import { IdentityModule } from '../../common/auth/identity.module.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { UsersClient } from './contracts/users.client.js';
import { User } from './user.entity.js';
import { UsersHandlers } from './users.handlers.js';
import { UsersHttpController } from './users.http.controller.js';
import { UsersService } from './users.service.js';

/** The users core: message handlers over the users schema; asks the auth core whether a caller's token is current. */
@Module({
  imports: [DatabaseModule.forModule({ name: 'users', entities: [User], migrations: usersMigrations }), IdentityModule.forCore()],
  controllers: [UsersHandlers],
  providers: [UsersService],
})
export class UsersCoreModule {}

/** The users HTTP API, which reaches the core only through UsersClient. */
@Module({
  imports: [BusClientModule.register('users', UsersClient), IdentityModule.forGateway()],
  controllers: [UsersHttpController],
})
export class UsersGatewayModule {}
