import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { identityConfig } from '../config/settings.js';
import { ModuleSession } from '../database/module-session.js';
import { CredentialCopy } from './credential-copy.js';
import { CheckedElsewhere, CredentialVersions } from './credential-versions.js';
import { IdentityGuard } from './identity.guard.js';
import { ServiceTokens } from './service-tokens.js';
import { tokenConfig } from './token.settings.js';
import { createJwtService, TokenVerifier } from './token.verifier.js';

const COPY_SCHEMA = Symbol('credential-copy:schema');

/**
 * What a module needs to verify callers: the pinned JwtService, the TokenVerifier, and IdentityGuard
 * with the right way to check credential versions. No variant asks another module anything.
 */
@Module({})
export class IdentityModule {
  /** JwtService, TokenVerifier and ServiceTokens only. */
  static tokens(): DynamicModule {
    return {
      module: IdentityModule,
      imports: [ConfigModule.forFeature(tokenConfig)],
      providers: [{ provide: JwtService, useFactory: createJwtService, inject: [tokenConfig.KEY] }, TokenVerifier, ServiceTokens],
      exports: [JwtService, TokenVerifier, ServiceTokens, ConfigModule],
    };
  }

  /** For an HTTP gateway, and for the core that issues credentials and checks them against its own data. */
  static checkedElsewhere(): DynamicModule {
    return IdentityModule.guarded([{ provide: CredentialVersions, useClass: CheckedElsewhere }]);
  }

  /**
   * For a module core that relies on tokens issued elsewhere: versions are checked against the core's
   * own CredentialCopy (table `<schema>.credential_versions`), which the module keeps current from the
   * issuer's events. `schema` is the module's name, which is also its data source's.
   */
  static withCopy(schema: string): DynamicModule {
    return IdentityModule.guarded(
      [
        {
          provide: CredentialCopy,
          inject: [getDataSourceToken(schema), identityConfig.KEY, COPY_SCHEMA],
          useFactory: async (ds: DataSource, settings: ConfigType<typeof identityConfig>, schema: string) => {
            const copy = new CredentialCopy(ds, schema, settings.copyRefreshMs, ModuleSession.of(ds, schema));
            await copy.start();
            return copy;
          },
        },
        { provide: CredentialVersions, useExisting: CredentialCopy },
        // A plain value, so Nest tells two modules' copies apart (it identifies dynamic modules by their metadata).
        { provide: COPY_SCHEMA, useValue: schema },
      ],
      [CredentialCopy],
      [ConfigModule.forFeature(identityConfig)],
    );
  }

  private static guarded(
    providers: NonNullable<DynamicModule['providers']>,
    exports: Type<unknown>[] = [],
    imports: NonNullable<DynamicModule['imports']> = [],
  ): DynamicModule {
    const base = IdentityModule.tokens();
    return {
      ...base,
      imports: [...base.imports!, ...imports],
      providers: [...base.providers!, ...providers, IdentityGuard],
      exports: [...base.exports!, CredentialVersions, IdentityGuard, ...exports],
    };
  }
}
