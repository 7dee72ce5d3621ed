import { Injectable } from '@nestjs/common';
import { CredentialVersions } from '../../common/auth/credential-versions.js';
import type { UserIdentity } from '../../common/auth/identity.js';
import { AccountsService } from './accounts.service.js';

/** The auth core is the identity authority: it checks versions against its own data. */
@Injectable()
export class LocalCredentialVersions extends CredentialVersions {
  constructor(private readonly accounts: AccountsService) {
    super();
  }

  async assertCurrent(identity: UserIdentity): Promise<void> {
    await this.accounts.current(identity);
  }
}
