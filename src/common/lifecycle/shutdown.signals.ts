import type { INestApplication, LoggerService } from '@nestjs/common';
import { stopTracing } from '../observability/tracing.sdk.js';
import { processShutdown } from './shutdown.state.js';

/**
 * On SIGTERM or SIGINT: readiness turns 503 and remote listeners refuse new messages at once; the HTTP
 * server stops accepting and finishes the requests it accepted; the bus listeners finish the messages
 * they accepted; then clients and database pools close, one line is logged and the process exits 0.
 * Whatever is still unfinished when `graceMs` runs out is abandoned: one error line, exit code 1.
 */
export function exitGracefullyOnSignals(app: INestApplication, logger: LoggerService, graceMs: number): void {
  const shutdown = async (signal: NodeJS.Signals) => {
    if (processShutdown.shuttingDown) return;
    processShutdown.begin();
    const started = performance.now();
    const timer = setTimeout(() => {
      logger.error({ signal, graceMs }, 'Shutdown grace period expired with work unfinished; exiting', 'Shutdown');
      process.exit(1);
    }, graceMs);
    try {
      await app.close();
      await stopTracing();
    } catch (err) {
      logger.error({ err, signal }, 'Shutdown failed; exiting', 'Shutdown');
      process.exit(1);
    }
    clearTimeout(timer);
    logger.log({ signal, graceMs, durationMs: Math.round(performance.now() - started) }, 'Shut down: in-flight work finished, transports and pools closed', 'Shutdown');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, (s) => void shutdown(s));
}
