import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, httpConfig, readDatabaseSettings } from '../../../src/common/config/settings.js';
import { readSettings } from '../../../src/common/config/settings.source.js';
import { dataSourceOptions } from '../../../src/common/database/database.module.js';
import { IdentityModule } from '../../../src/common/identity/identity.module.js';
import { RateLimitModule } from '../../../src/common/http/rate-limit.module.js';
import { ObservabilityModule } from '../../../src/common/observability/observability.module.js';
import { PlainController } from './plain.controller.js';
import { PlainStore } from './plain.store.js';

/**
 * One module: the application's logger and metrics (ObservabilityModule), its rate limits
 * (RateLimitModule) and token check (IdentityModule, JwtService and IdentityGuard), and one data source
 * on the monolith's database, DATABASE_POOL_SIZE connections.
 */
@Module({})
export class PlainModule {
  /** `rateLimit`: false leaves the rate limits out, as RATE_LIMIT_ENABLED=false does in the monolith. */
  static forRoot(rateLimit: boolean): DynamicModule {
    return {
      module: PlainModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load: [httpConfig, databaseConfig] }),
        ObservabilityModule,
        ...(rateLimit ? [RateLimitModule] : []),
        IdentityModule.checkedElsewhere(),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            dataSourceOptions(
              { name: 'plain', entities: [], migrations: [] },
              readSettings(readPlainDatabase).url,
              readSettings(readDatabaseSettings),
            ),
        }),
      ],
      controllers: [PlainController],
      providers: [PlainStore],
    };
  }
}

function readPlainDatabase(env: Readonly<Record<string, string | undefined>>) {
  const url = env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is required');
  return { url };
}
