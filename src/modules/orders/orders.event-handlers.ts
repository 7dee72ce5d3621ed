import { Injectable, OnModuleInit } from '@nestjs/common';
import { accountGone, CredentialCopy } from '../../common/identity/credential-copy.js';
import { Inbox } from '../../common/events/inbox.js';
import { AuthEvents, type CredentialsChanged } from '../auth/index.js';
import { type UserDeleted, UsersEvents } from '../users/index.js';
import { OrdersService } from './orders.service.js';

/** What the orders core does with the events it consumes. */
@Injectable()
export class OrdersEventHandlers implements OnModuleInit {
  constructor(
    private readonly inbox: Inbox,
    private readonly copy: CredentialCopy,
    private readonly orders: OrdersService,
  ) {}

  onModuleInit(): void {
    this.inbox.on<UserDeleted>(UsersEvents.USER_DELETED, async ({ payload }, tx) => {
      await this.orders.cancelAllOf(tx.manager, payload.userId);
      // The account is gone: its tokens are refused here now, before auth's own announcement arrives.
      await this.copy.apply(tx.manager, accountGone(payload.userId), tx.afterCommit);
    });
    this.inbox.on<CredentialsChanged>(AuthEvents.CREDENTIALS_CHANGED, (event, tx) =>
      this.copy.apply(tx.manager, event.payload, tx.afterCommit),
    );
  }
}
