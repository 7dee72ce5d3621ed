import { UseGuards } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Identity } from '../../common/auth/identity.js';
import { Caller, IdentityGuard, Public } from '../../common/auth/identity.guard.js';
import { MessageHandlers } from '../../common/messaging/message-handlers.decorator.js';
import { AccountsService } from './accounts.service.js';
import { requireUser } from './contracts/auth.access.js';
import { AuthPatterns } from './contracts/auth.patterns.js';
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

  @Public()
  @MessagePattern(AuthPatterns.REGISTER)
  register(@Payload() request: RegisterRequest) {
    return this.registration.register(request);
  }

  @Public()
  @MessagePattern(AuthPatterns.LOGIN)
  login(@Payload() request: LoginRequest) {
    return this.accounts.login(request);
  }

  @Public()
  @MessagePattern(AuthPatterns.REFRESH)
  refresh(@Payload() request: RefreshRequest) {
    return this.sessions.rotate(request.refreshToken);
  }

  @Public()
  @MessagePattern(AuthPatterns.LOGOUT)
  async logout(@Payload() request: RefreshRequest) {
    await this.sessions.logout(request.refreshToken);
    return { loggedOut: true };
  }

  @MessagePattern(AuthPatterns.CHANGE_PASSWORD)
  changePassword(@Payload() request: ChangePasswordRequest, @Caller() caller: Identity) {
    return this.accounts.changePassword(requireUser(caller), request);
  }

  @Public()
  @MessagePattern(AuthPatterns.PING)
  ping() {
    return { module: 'auth' };
  }
}
