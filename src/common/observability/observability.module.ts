import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { readLogSettings } from '../config/settings.js';
import { loggerParams } from './logger.params.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Structured JSON logs, where every line written while handling a request carries its correlation id,
 * and Prometheus metrics at GET /metrics.
 */
@Module({
  imports: [
    // Read when the app is built, not when this file loads: a bad LOG_LEVEL is reported by main like any other setting.
    LoggerModule.forRootAsync({ useFactory: () => loggerParams(readLogSettings(process.env)) }),
  ],
  controllers: [MetricsController],
})
export class ObservabilityModule {}
