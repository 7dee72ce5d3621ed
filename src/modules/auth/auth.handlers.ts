import { UseGuards } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/identity/identity.js';
import { Caller, IdentityGuard } from '../../common/identity/identity.guard.js';
import { Handles } from '../../common/contracts/handles.decorator.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { AccountsService } from './accounts.service.js';
import { requireUser } from './contracts/auth.access.js';
import { AuthOperations } from './contracts/auth.operations.js';
import { ChangePasswordRequest, LoginRequest, RefreshRequest, RegisterRequest } from './contracts/auth.messages.js';
import { RegistrationService } from './registration.service.js';
import { SessionsService } from './sessions.service.js';

@MessageHandlers()
@UseGuards(IdentityGuard)
export class AuthHandlers {
  constructor(
    private readonly registration: RegistrationService,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
  ) {}

  @Handles(AuthOperations.register)
  register(@Payload() request: RegisterRequest) {
    return this.registration.register(request);
  }

  @Handles(AuthOperations.login)
  login(@Payload() request: LoginRequest) {
    return this.accounts.login(request);
  }

  @Handles(AuthOperations.refresh)
  refresh(@Payload() request: RefreshRequest) {
    return this.sessions.rotate(request.refreshToken);
  }

  @Handles(AuthOperations.logout)
  async logout(@Payload() request: RefreshRequest) {
    await this.sessions.logout(request.refreshToken);
    return { loggedOut: true as const };
  }

  @Handles(AuthOperations.changePassword)
  changePassword(@Payload() request: ChangePasswordRequest, @Caller() caller: Identity) {
    return this.accounts.changePassword(requireUser(caller), request);
  }

  @Handles(AuthOperations.ping)
  ping() {
    return { module: 'auth' };
  }
}
