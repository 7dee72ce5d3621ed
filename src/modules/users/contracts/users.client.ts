import { ModuleClient } from '../../../common/contracts/module.client.js';
import { UsersOperations } from './users.operations.js';

/** The typed way to reach the users core, wherever it runs. Failures reject with a DomainError. */
export class UsersClient extends ModuleClient {
  readonly get = this.call(UsersOperations.get);
  readonly list = this.call(UsersOperations.list);
  readonly count = this.call(UsersOperations.count);
  readonly update = this.call(UsersOperations.update);
  readonly delete = this.call(UsersOperations.delete);
  readonly ping = this.call(UsersOperations.ping);
}
