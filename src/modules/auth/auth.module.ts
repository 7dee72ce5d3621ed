import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigModule } from '@nestjs/config';
import { authMigrations } from '../../../migrations/auth/index.js';
import { IdentityModule } from '../../common/identity/identity.module.js';
import type { ModuleDefinition } from '../../common/contracts/module-definition.js';
import { busConfig } from '../../common/config/settings.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { RetentionSchedule } from '../../common/database/retention.js';
import { EventsModule } from '../../common/events/events.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { UsersEvents } from '../users/index.js';
import { promoteCommand } from './accounts.promote.js';
import { AccountsService } from './accounts.service.js';
import { AuthEventHandlers } from './auth.event-handlers.js';
import { AuthHandlers } from './auth.handlers.js';
import { AuthHttpController } from './auth.http.controller.js';
import { authConfig, readAuthSettings } from './auth.settings.js';
import { AuthClient } from './contracts/auth.client.js';
import { authContract } from './contracts/auth.contract.js';
import { FailedAttempts } from './failed-attempts.js';
import { PasswordHasher } from './password.hasher.js';
import { RegistrationService } from './registration.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';

/**
 * The auth core: credentials and refresh tokens in the auth schema. It issues tokens and announces
 * every change of credentials as an event; no module asks it anything on a request.
 */
@Module({
  imports: [
    DatabaseModule.forModule({ name: 'auth', migrations: authMigrations }),
    IdentityModule.checkedElsewhere(),
    EventsModule.forModule('auth'),
    ConfigModule.forFeature(authConfig),
    ConfigModule.forFeature(busConfig),
  ],
  controllers: [AuthHandlers],
  providers: [PasswordHasher, TokenIssuer, SessionsService, AccountsService, RegistrationService, AuthEventHandlers, FailedAttempts],
})
export class AuthCoreModule implements OnModuleInit {
  constructor(
    private readonly retention: RetentionSchedule,
    @InjectDataSource('auth') private readonly dataSource: DataSource,
  ) {}

  /** Expired refresh tokens can no longer be used (nor reused), and ended failure windows count nothing. */
  onModuleInit(): void {
    this.retention.add(this.dataSource, { table: '"auth"."refresh_tokens"', where: 'expires_at < now()' });
    this.retention.add(this.dataSource, { table: '"auth"."failed_attempts"', where: 'window_ends_at < now()' });
  }
}

/** The auth HTTP API, which reaches the core only through AuthClient. */
@Module({
  imports: [BusClientModule.register('auth', AuthClient), IdentityModule.checkedElsewhere()],
  controllers: [AuthHttpController],
})
export class AuthGatewayModule {}

export const authModule: ModuleDefinition = {
  name: 'auth',
  defaultTcpPort: 4003,
  contract: authContract,
  uses: [],
  calls: [],
  subscribes: [UsersEvents.USER_DELETED],
  core: AuthCoreModule,
  gateway: AuthGatewayModule,
  migrations: authMigrations,
  settings: readAuthSettings,
  commands: { 'accounts:promote': promoteCommand },
};
