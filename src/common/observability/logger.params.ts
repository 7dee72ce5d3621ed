import { Logger, Params, PinoLogger } from 'nestjs-pino';
import type { LogSettings } from '../config/settings.js';
import { RequestContextStore } from '../context/request-context.js';
import { CENSOR, censorSecrets, REDACTED_PATHS } from './log.redaction.js';

/**
 * The one pino configuration of the process. Every line, from the first start-up message to the
 * shutdown line, is written by the same root logger: JSON on stdout, or pino-pretty's coloured text
 * when LOG_FORMAT=pretty (a development dependency, for local use).
 */
export function loggerParams(settings: LogSettings): Params {
  return {
    pinoHttp: {
      level: settings.level,
      // Request lines are written by observeHttp, which sees Fastify's request id.
      autoLogging: false,
      mixin: () => {
        const ctx = RequestContextStore.current();
        return ctx ? { correlationId: ctx.correlationId } : {};
      },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      formatters: { log: censorSecrets },
      ...(settings.format === 'pretty' && { transport: { target: 'pino-pretty', options: { singleLine: true } } }),
    },
  };
}

/**
 * A Nest LoggerService over that root logger, usable before any Nest application exists: main installs
 * it as Nest's logger so that Nest's own start-up lines are JSON too.
 */
export function createProcessLogger(settings: LogSettings): Logger {
  const params = loggerParams(settings);
  return new Logger(new PinoLogger(params), params);
}
