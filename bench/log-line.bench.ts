/**
 * What one request log line costs to write with the process's logger configuration (loggerParams), and
 * with the same secrets censored by pino's wildcard redact paths instead of log.redaction's formatter.
 * Lines go to a stream that drops them, so the figure is the logger's CPU, not the disk's. Run with
 * `npm run bench:log`; BENCH_LINES sets the measured count (200000), after a quarter as many unmeasured.
 */
import { Writable } from 'node:stream';
import { pino, type LoggerOptions } from 'pino';
import { readLogSettings } from '../src/common/config/settings.js';
import { loggerParams } from '../src/common/observability/logger.params.js';
import { CENSOR, REDACTED_PATHS, SECRET_FIELDS } from '../src/common/observability/log.redaction.js';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const configured = loggerParams(readLogSettings({ LOG_LEVEL: 'info' })).pinoHttp as LoggerOptions;
// The wildcard paths the formatter replaced: each secret field one level down, and a nested error's SQL parameters.
const SECRET_PATHS = [...SECRET_FIELDS.map((field) => `*.${field}`), '*.err.parameters'];
const wildcard: LoggerOptions = { ...configured, formatters: {}, redact: { paths: [...REDACTED_PATHS, ...SECRET_PATHS], censor: CENSOR } };

const line = () => ({
  context: 'Http',
  correlationId: 'c2117164-a67d-4010-9839-186b2c89323c',
  method: 'GET',
  url: '/v1/users/me',
  statusCode: 200,
  durationMs: 3,
});

/** CPU microseconds per line, over LINES lines after a quarter as many unmeasured ones. */
function measure(options: LoggerOptions): number {
  const log = pino(options, new Writable({ write: (_chunk, _encoding, done) => done() }));
  for (let i = 0; i < LINES / 4; i++) log.info(line(), 'request completed');
  const before = process.cpuUsage();
  for (let i = 0; i < LINES; i++) log.info(line(), 'request completed');
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / LINES;
}

for (const [name, options] of [
  ['log.redaction formatter (the process)', configured],
  ['pino wildcard redact paths', wildcard],
  ['log.redaction formatter (the process)', configured],
  ['pino wildcard redact paths', wildcard],
] as const) {
  console.log(`${name}: ${measure(options).toFixed(2)} µs of CPU per request line (${LINES} lines)`);
}
