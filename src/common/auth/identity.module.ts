import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { authConfig } from './auth.settings.js';
import { CoreCheckedCredentialVersions, CredentialVersions, RemoteCredentialVersions } from './credential-versions.js';
import { IdentityGuard } from './identity.guard.js';
import { IdentityLifecycle } from './identity-lifecycle.js';
import { ServiceTokens } from './service-tokens.js';
import { createJwtService, TokenVerifier } from './token.verifier.js';

/**
 * What a module needs to verify callers: the pinned JwtService, the TokenVerifier, and (except for the
 * identity authority, which provides its own) IdentityGuard with the right way to check credential versions.
 */
@Module({})
export class IdentityModule {
  /** JwtService and TokenVerifier only; the importer provides CredentialVersions and IdentityGuard. */
  static tokens(): DynamicModule {
    return {
      module: IdentityModule,
      imports: [ConfigModule.forFeature(authConfig)],
      providers: [{ provide: JwtService, useFactory: createJwtService, inject: [authConfig.KEY] }, TokenVerifier, ServiceTokens],
      exports: [JwtService, TokenVerifier, ServiceTokens, ConfigModule],
    };
  }

  /** For an HTTP gateway: tokens are checked locally; versions by the core each route reaches. */
  static forGateway(): DynamicModule {
    return IdentityModule.guarded(CoreCheckedCredentialVersions);
  }

  /**
   * For a module core other than the identity authority: versions are asked of the auth module, which
   * is also told (IdentityLifecycle) when an account goes away.
   */
  static forCore(): DynamicModule {
    const guarded = IdentityModule.guarded(RemoteCredentialVersions);
    return { ...guarded, providers: [...guarded.providers!, IdentityLifecycle], exports: [...guarded.exports!, IdentityLifecycle] };
  }

  private static guarded(versions: Type<CredentialVersions>): DynamicModule {
    const base = IdentityModule.tokens();
    return {
      ...base,
      providers: [...base.providers!, { provide: CredentialVersions, useClass: versions }, IdentityGuard],
      exports: [...base.exports!, CredentialVersions, IdentityGuard],
    };
  }
}
