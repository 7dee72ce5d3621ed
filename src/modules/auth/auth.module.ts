import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { authMigrations } from '../../../migrations/auth/index.js';
import { authConfig } from '../../common/auth/auth.settings.js';
import { CredentialVersions } from '../../common/auth/credential-versions.js';
import { IdentityGuard } from '../../common/auth/identity.guard.js';
import { IdentityModule } from '../../common/auth/identity.module.js';
import { busConfig } from '../../common/config/settings.js';
import { DatabaseModule } from '../../common/database/database.module.js';
import { BusClientModule } from '../../common/messaging/messaging.module.js';
import { AuthClient } from './contracts/auth.client.js';
import { UsersClient } from '../users/index.js';
import { AccountsService } from './accounts.service.js';
import { AuthHandlers } from './auth.handlers.js';
import { AuthHttpController } from './auth.http.controller.js';
import { Credential } from './credential.entity.js';
import { LocalCredentialVersions } from './local-credential-versions.js';
import { PasswordHasher } from './password.hasher.js';
import { RefreshToken } from './refresh-token.entity.js';
import { RegistrationService } from './registration.service.js';
import { SessionsService } from './sessions.service.js';
import { TokenIssuer } from './token.issuer.js';

/** The auth core: credentials and refresh tokens in the auth schema; the identity authority for every other core. */
@Module({
  imports: [
    DatabaseModule.forModule({ name: 'auth', entities: [Credential, RefreshToken], migrations: authMigrations }),
    BusClientModule.register('users', UsersClient),
    IdentityModule.tokens(),
    ConfigModule.forFeature(authConfig),
    ConfigModule.forFeature(busConfig),
  ],
  controllers: [AuthHandlers],
  providers: [
    PasswordHasher, TokenIssuer, SessionsService, AccountsService, RegistrationService,
    { provide: CredentialVersions, useClass: LocalCredentialVersions },
    IdentityGuard,
  ],
})
export class AuthCoreModule {}

/** The auth HTTP API, which reaches the core only through AuthClient. */
@Module({
  imports: [BusClientModule.register('auth', AuthClient), IdentityModule.forGateway()],
  controllers: [AuthHttpController],
})
export class AuthGatewayModule {}
