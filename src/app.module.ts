import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { busConfig, databaseConfig, httpConfig, tcpListenerConfig } from './common/config/settings.js';
import type { Topology } from './common/config/topology.js';
import { TopologyModule } from './common/config/topology.module.js';
import { RetentionModule } from './common/database/retention.js';
import { EventsModule } from './common/events/events.module.js';
import { HealthModule } from './common/health/health.module.js';
import { RateLimitModule } from './common/http/rate-limit.module.js';
import { LifecycleModule } from './common/lifecycle/lifecycle.module.js';
import { MessagingModule } from './common/messaging/messaging.module.js';
import { ObservabilityModule } from './common/observability/observability.module.js';

/** Composes the halves this process runs: the cores MODULES lists, and the gateway if API=true. */
@Module({})
export class AppModule {
  /** `rateLimit`: false leaves the rate limits out (RATE_LIMIT_ENABLED=false). */
  static forRoot(topology: Topology, { rateLimit = true }: { rateLimit?: boolean } = {}): DynamicModule {
    const cores = MODULE_DEFINITIONS.filter((m) => topology.hosted.includes(m.name)).map((m) => m.core);
    const gateways = topology.api ? MODULE_DEFINITIONS.map((m) => m.gateway) : [];
    return {
      module: AppModule,
      imports: [
        // Settings come only from the registered namespaces, all read from one validated snapshot
        // (common/config/settings.source.ts): no .env file, and no ConfigService#get of a raw variable.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [httpConfig, busConfig, databaseConfig, tcpListenerConfig],
        }),
        ObservabilityModule,
        LifecycleModule,
        TopologyModule.forRoot(topology),
        MessagingModule,
        EventsModule.forRoot(),
        RetentionModule,
        HealthModule,
        ...(topology.api && rateLimit ? [RateLimitModule] : []),
        ...cores,
        ...gateways,
      ],
    };
  }
}
