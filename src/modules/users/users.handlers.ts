import { MessagePattern, Payload } from '@nestjs/microservices';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { UsersPatterns } from './contracts/users.patterns.js';
import {
  CreateUserRequest, DeleteUserRequest, GetUserRequest, ListUsersRequest, UpdateUserRequest,
} from './contracts/users.messages.js';
import { UsersService } from './users.service.js';

@MessageHandlers()
export class UsersHandlers {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(UsersPatterns.CREATE)
  create(@Payload() request: CreateUserRequest) {
    return this.users.create(request);
  }

  @MessagePattern(UsersPatterns.GET)
  get(@Payload() request: GetUserRequest) {
    return this.users.get(request.id);
  }

  @MessagePattern(UsersPatterns.LIST)
  list(@Payload() request: ListUsersRequest) {
    return this.users.list(request);
  }

  @MessagePattern(UsersPatterns.UPDATE)
  update(@Payload() request: UpdateUserRequest) {
    return this.users.update(request);
  }

  @MessagePattern(UsersPatterns.DELETE)
  delete(@Payload() request: DeleteUserRequest) {
    return this.users.delete(request.id);
  }

  @MessagePattern(UsersPatterns.PING)
  ping() {
    return { module: 'users' };
  }
}
