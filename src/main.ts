import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { loadSettings, type Settings } from './app.settings.js';
import { processLogSettings } from './common/config/settings.js';
import { ConfigError } from './common/config/settings.readers.js';
import { exitGracefullyOnSignals } from './common/lifecycle/shutdown.signals.js';
import { ModuleAlreadyServedError } from './common/messaging/module-listeners.js';
import { createProcessLogger } from './common/observability/logger.params.js';
import { createApp, startApp } from './bootstrap.js';

// JSON from the first line: even a bad LOG_LEVEL is reported by a logger (at the default level).
const logger = createProcessLogger(processLogSettings());
Logger.overrideLogger(logger);

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings(MODULE_DEFINITIONS);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal({ variable: err.variable }, err.message, 'Config');
      process.exit(78);
    }
    throw err;
  }
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
