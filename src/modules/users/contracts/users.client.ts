import type { BusChannel } from '../../../common/messaging/bus-channel.js';
import { UsersPatterns } from './users.patterns.js';
import type {
  DeleteUserRequest, DeletedReply, GetUserRequest, ListUsersRequest, PingReply,
  UpdateUserRequest, UserPageReply, UserReply,
} from './users.messages.js';

/** The typed way to reach the users core, wherever it runs. Failures reject with a DomainError. */
export class UsersClient {
  constructor(private readonly channel: BusChannel) {}

  get(request: GetUserRequest): Promise<UserReply> {
    return this.channel.send(UsersPatterns.GET, request, { idempotent: true });
  }

  list(request: ListUsersRequest): Promise<UserPageReply> {
    return this.channel.send(UsersPatterns.LIST, request, { idempotent: true });
  }

  update(request: UpdateUserRequest): Promise<UserReply> {
    return this.channel.send(UsersPatterns.UPDATE, request);
  }

  delete(request: DeleteUserRequest): Promise<DeletedReply> {
    return this.channel.send(UsersPatterns.DELETE, request);
  }

  ping(): Promise<PingReply> {
    return this.channel.send(UsersPatterns.PING, {}, { idempotent: true });
  }
}
