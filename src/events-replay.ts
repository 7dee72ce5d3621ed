import 'reflect-metadata';
import { MODULE_DEFINITIONS } from './app.modules.js';
import { replayCommand } from './common/events/replay.command.js';

/** Entry point of `npm run events:replay -- <module> [event-id]` (`node dist/src/events-replay.js` in the image). */
process.exitCode = await replayCommand(process.env, process.argv.slice(2), MODULE_DEFINITIONS);
