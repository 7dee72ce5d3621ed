import 'reflect-metadata';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { environment } from './common/config/settings.source.js';
import { extractCommand } from './common/config/extract.command.js';
import { copyCommand } from './common/database/copy.command.js';
import { replayCommand } from './common/events/replay.command.js';

/**
 * Operator commands, run with the application's settings: `node dist/src/cli.js <command> [args]`
 * (`npm run <command> -- [args]`). Modules contribute their own through their definitions.
 */
const env = environment();
const commands: Record<string, (args: string[]) => Promise<number>> = {
  'events:replay': (args) => replayCommand(env, args, MODULE_DEFINITIONS),
  'db:copy': (args) => copyCommand(env, args, MODULE_DEFINITIONS),
  extract: (args) => extractCommand(env, args, MODULE_DEFINITIONS),
};
for (const module of MODULE_DEFINITIONS) {
  for (const [name, run] of Object.entries(module.commands ?? {})) commands[name] = (args) => run(env, args, MODULE_DEFINITIONS);
}

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stdout.write(`usage: cli <command> [args]; commands: ${Object.keys(commands).sort().join(', ')}\n`);
  process.exitCode = 64;
} else {
  process.exitCode = await command(args);
}
