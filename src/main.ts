import 'reflect-metadata';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { validateSettings } from './common/config/settings.js';
import { ConfigError, readTopology } from './common/config/topology.js';
import { createApp, startApp } from './bootstrap.js';

async function main(): Promise<void> {
  let topology;
  try {
    validateSettings(process.env);
    for (const module of MODULE_DEFINITIONS) module.settings?.(process.env);
    topology = readTopology(process.env, MODULE_DEFINITIONS);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const app = await createApp(topology);
  await startApp(app);
}

main().catch((err) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
