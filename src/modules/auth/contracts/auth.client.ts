import { ModuleClient } from '../../../common/contracts/module.client.js';
import { AuthOperations } from './auth.operations.js';

/** The typed way to reach the auth core, wherever it runs. Failures reject with a DomainError. */
export class AuthClient extends ModuleClient {
  readonly register = this.call(AuthOperations.register);
  readonly login = this.call(AuthOperations.login);
  readonly refresh = this.call(AuthOperations.refresh);
  readonly logout = this.call(AuthOperations.logout);
  /** For the caller whose access token is in the current request context. */
  readonly changePassword = this.call(AuthOperations.changePassword);
  readonly ping = this.call(AuthOperations.ping);
}
