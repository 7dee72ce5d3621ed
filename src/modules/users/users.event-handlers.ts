import { Injectable, OnModuleInit } from '@nestjs/common';
import { CredentialCopy } from '../../common/identity/credential-copy.js';
import { Inbox } from '../../common/events/inbox.js';
import { type AccountRegistered, AuthEvents, type CredentialsChanged } from '../auth/index.js';
import { UsersService } from './users.service.js';

/** What the users core does with the events it consumes. */
@Injectable()
export class UsersEventHandlers implements OnModuleInit {
  constructor(
    private readonly inbox: Inbox,
    private readonly copy: CredentialCopy,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.inbox.on<AccountRegistered>(AuthEvents.ACCOUNT_REGISTERED, (event, tx) => this.users.createProfile(tx.manager, event.payload));
    this.inbox.on<CredentialsChanged>(AuthEvents.CREDENTIALS_CHANGED, (event, tx) =>
      this.copy.apply(tx.manager, event.payload, tx.afterCommit),
    );
  }
}
