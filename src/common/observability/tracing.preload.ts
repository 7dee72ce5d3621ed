// Imported before the application: first by the entry point (dist/main.js, see scripts/write-entry.mjs),
// or with `node --import` (npm run dev). Tracing must start before Fastify and TypeORM load `http` and
// `pg`, so this cannot wait for main; it reads its settings from the same snapshot main validates.
import { readSettings } from '../config/settings.source.js';
import { useTracingHooks } from './bus.tracing.js';
import { startTracing } from './tracing.sdk.js';
import { readTracingSettings } from './tracing.settings.js';

const settings = readSettings(readTracingSettings);
useTracingHooks(settings.hooks);
await startTracing(settings);
