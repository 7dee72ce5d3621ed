/**
 * The plain NestJS reference of `npm run bench:http`: the monolith's three benchmarked routes in one
 * Nest module on the Fastify adapter, with no bus and no module boundary, but the production features
 * the monolith's HTTP side has on them, taken from src/: the adapter's options and Fastify hooks
 * (correlation id, the request log line and the duration histogram of observeHttp, security headers,
 * the JSON body parser, the refusals, the connection-close hook of a shutdown), the pino logger, the rate limits, the token check, the
 * validation pipe with the same DTOs, problem+json errors, and the same SQL. What the monolith costs
 * beyond this is its module structure: the bus, the request context, the cores' own guards and pipes.
 * The layer switches (LOG_REQUESTS, METRICS_HTTP, RATE_LIMIT_ENABLED) apply here as in the monolith.
 * Runs as its own process, started by http.bench.ts, on a database the monolith has migrated.
 */
import { readHttpSettings, readLogSettings, readMetricsSettings } from '../../../src/common/config/settings.js';
import { readSettings } from '../../../src/common/config/settings.source.js';
import { readSecuritySettings } from '../../../src/common/http/security.settings.js';
import { createHttpApp } from '../../../src/http-app.js';
import { PlainModule } from './plain.module.js';

const http = readSettings(readHttpSettings);
const log = readSettings(readLogSettings);
const metrics = readSettings(readMetricsSettings);
const security = readSettings(readSecuritySettings);

// The monolith's HTTP side, built by the same function the monolith's bootstrap uses.
const app = await createHttpApp(PlainModule.forRoot(security.rateLimitEnabled), { http, log, metrics, security }, { publicApi: true });
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
await app.listen(http.port, http.host);
