import { UseGuards } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/auth/identity.js';
import { Caller, IdentityGuard, Public } from '../../common/auth/identity.guard.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { UsersPatterns } from './contracts/users.patterns.js';
import {
  DeleteUserRequest, GetUserRequest, ListUsersRequest, UpdateUserRequest,
} from './contracts/users.messages.js';
import { UsersService } from './users.service.js';

@MessageHandlers()
@UseGuards(IdentityGuard)
export class UsersHandlers {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(UsersPatterns.GET)
  get(@Payload() request: GetUserRequest, @Caller() caller: Identity) {
    return this.users.get(request.id, caller);
  }

  @MessagePattern(UsersPatterns.LIST)
  list(@Payload() request: ListUsersRequest, @Caller() caller: Identity) {
    return this.users.list(request, caller);
  }

  @MessagePattern(UsersPatterns.UPDATE)
  update(@Payload() request: UpdateUserRequest, @Caller() caller: Identity) {
    return this.users.update(request, caller);
  }

  @MessagePattern(UsersPatterns.DELETE)
  delete(@Payload() request: DeleteUserRequest, @Caller() caller: Identity) {
    return this.users.delete(request.id, caller);
  }

  @Public()
  @MessagePattern(UsersPatterns.PING)
  ping() {
    return { module: 'users' };
  }
}
