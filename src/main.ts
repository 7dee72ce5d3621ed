import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { loadSettings, type Settings } from './app.settings.js';
import { processLogSettings } from './common/config/settings.js';
import { ConfigError } from './common/config/settings.readers.js';
import { readSettings } from './common/config/settings.source.js';
import { exitGracefullyOnSignals } from './common/lifecycle/shutdown.signals.js';
import { ModuleAlreadyServedError } from './common/messaging/module-listeners.js';
import { createProcessLogger } from './common/observability/logger.params.js';
import { createApp, startApp } from './bootstrap.js';
import { assertWorkersSupported, readWorkerSettings, runPrimary } from './workers.js';

// JSON from the first line: even a bad LOG_LEVEL is reported by a logger (at the default level).
const logger = createProcessLogger(processLogSettings());
Logger.overrideLogger(logger);

async function main(): Promise<void> {
  let settings: Settings;
  let workers: number;
  try {
    settings = loadSettings(MODULE_DEFINITIONS);
    ({ workers } = readSettings(readWorkerSettings));
    assertWorkersSupported(workers, settings.topology, settings.security.rateLimitStore.kind);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal({ variable: err.variable }, err.message, 'Config');
      process.exit(78);
    }
    throw err;
  }
  // WORKERS > 1: this process only starts and watches the workers, each of which runs the application.
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, logger);
  const app = await createApp(settings);
  exitGracefullyOnSignals(app, logger, settings.shutdown);
  await startApp(app);
}

main().catch((err) => {
  if (err instanceof ModuleAlreadyServedError) {
    logger.fatal({ variable: err.variable, module: err.module }, err.message, 'Main');
    process.exit(78);
  }
  logger.fatal(err instanceof Error ? err : { err }, 'Failed to start', 'Main');
  process.exit(1);
});
