import { UseGuards } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/identity/identity.js';
import { Caller, IdentityGuard } from '../../common/identity/identity.guard.js';
import { Handles } from '../../common/contracts/handles.decorator.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { UsersOperations } from './contracts/users.operations.js';
import { CountUsersRequest, DeleteUserRequest, GetUserRequest, ListUsersRequest, UpdateUserRequest } from './contracts/users.messages.js';
import { UsersService } from './users.service.js';

@MessageHandlers()
@UseGuards(IdentityGuard)
export class UsersHandlers {
  constructor(private readonly users: UsersService) {}

  @Handles(UsersOperations.get)
  get(@Payload() request: GetUserRequest, @Caller() caller: Identity) {
    return this.users.get(request.id, caller);
  }

  @Handles(UsersOperations.list)
  list(@Payload() request: ListUsersRequest, @Caller() caller: Identity) {
    return this.users.list(request, caller);
  }

  @Handles(UsersOperations.count)
  count(@Payload() _request: CountUsersRequest, @Caller() caller: Identity) {
    return this.users.count(caller);
  }

  @Handles(UsersOperations.update)
  update(@Payload() request: UpdateUserRequest, @Caller() caller: Identity) {
    return this.users.update(request, caller);
  }

  @Handles(UsersOperations.delete)
  delete(@Payload() request: DeleteUserRequest, @Caller() caller: Identity) {
    return this.users.delete(request.id, caller);
  }

  @Handles(UsersOperations.ping)
  ping() {
    return { module: 'users' };
  }
}
