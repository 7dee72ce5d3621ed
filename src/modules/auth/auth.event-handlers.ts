import { Injectable, OnModuleInit } from '@nestjs/common';
import { Inbox } from '../../common/events/inbox.js';
import { type UserDeleted, UsersEvents } from '../users/index.js';
import { AccountsService } from './accounts.service.js';

/** What the auth core does with the events it consumes. */
@Injectable()
export class AuthEventHandlers implements OnModuleInit {
  constructor(
    private readonly inbox: Inbox,
    private readonly accounts: AccountsService,
  ) {}

  onModuleInit(): void {
    this.inbox.on<UserDeleted>(UsersEvents.USER_DELETED, (event, tx) => this.accounts.forget(tx, event.payload.userId));
  }
}
