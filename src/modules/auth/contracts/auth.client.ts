import type { BusChannel } from '../../../common/messaging/bus-channel.js';
import { AuthPatterns } from './auth.patterns.js';
import type { ChangePasswordRequest, LoggedOutReply, LoginRequest, RefreshRequest, RegisterRequest, SessionGrant } from './auth.messages.js';

/** The typed way to reach the auth core, wherever it runs. Failures reject with a DomainError. */
export class AuthClient {
  constructor(private readonly channel: BusChannel) {}

  register(request: RegisterRequest): Promise<SessionGrant> {
    return this.channel.send(AuthPatterns.REGISTER, request);
  }

  login(request: LoginRequest): Promise<SessionGrant> {
    return this.channel.send(AuthPatterns.LOGIN, request);
  }

  refresh(request: RefreshRequest): Promise<SessionGrant> {
    return this.channel.send(AuthPatterns.REFRESH, request);
  }

  logout(request: RefreshRequest): Promise<LoggedOutReply> {
    return this.channel.send(AuthPatterns.LOGOUT, request);
  }

  /** For the caller whose access token is in the current request context. */
  changePassword(request: ChangePasswordRequest): Promise<SessionGrant> {
    return this.channel.send(AuthPatterns.CHANGE_PASSWORD, request);
  }

  ping(): Promise<{ module: string }> {
    return this.channel.send(AuthPatterns.PING, {}, { idempotent: true });
  }
}
