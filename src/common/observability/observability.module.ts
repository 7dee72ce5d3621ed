import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { logConfig, metricsConfig } from '../config/settings.js';
import { loggerParams } from './logger.params.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Structured JSON logs, where every line written while handling a request carries its correlation id,
 * and Prometheus metrics at GET /metrics.
 */
@Module({
  imports: [
    // Read when the app is built, not when this file loads: a bad LOG_LEVEL is reported by main like any other setting.
    LoggerModule.forRootAsync({
      imports: [ConfigModule.forFeature(logConfig)],
      inject: [logConfig.KEY],
      useFactory: (settings: ConfigType<typeof logConfig>) => loggerParams(settings),
    }),
    ConfigModule.forFeature(metricsConfig),
  ],
  controllers: [MetricsController],
})
export class ObservabilityModule {}
