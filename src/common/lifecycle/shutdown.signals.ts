import type { INestApplication, LoggerService } from '@nestjs/common';
import type { ShutdownSettings } from '../config/settings.js';
import { stopTracing } from '../observability/tracing.sdk.js';
import { processShutdown } from './shutdown.state.js';

/**
 * On SIGTERM: readiness turns 503 at once while the process keeps serving for `readinessDelayMs`, every
 * HTTP response closing its connection, so a load balancer sees it leave before anything is refused.
 * Then the HTTP server stops accepting and remote listeners refuse new messages; accepted requests and
 * messages finish; clients and database pools close, one line is logged and the process exits 0.
 * SIGINT (a terminal's Ctrl-C) skips the delay, and a second signal during the delay ends it.
 * Whatever is still unfinished `graceMs` after the signal is abandoned: one error line, exit code 1.
 */
export function exitGracefullyOnSignals(
  app: INestApplication,
  logger: LoggerService,
  { graceMs, readinessDelayMs }: ShutdownSettings,
): void {
  let endDelay: (() => void) | undefined;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (processShutdown.leaving) {
      endDelay?.();
      return;
    }
    processShutdown.leave();
    const started = performance.now();
    const timer = setTimeout(() => {
      logger.error({ signal, graceMs }, 'Shutdown grace period expired with work unfinished; exiting', 'Shutdown');
      process.exit(1);
    }, graceMs);
    const delayMs = signal === 'SIGTERM' ? readinessDelayMs : 0;
    if (delayMs > 0) {
      logger.log({ signal, readinessDelayMs: delayMs }, 'Leaving: readiness answers 503, serving on until the delay ends', 'Shutdown');
      await new Promise<void>((resolve) => {
        const wait = setTimeout(resolve, delayMs);
        endDelay = () => {
          clearTimeout(wait);
          resolve();
        };
      });
    }
    processShutdown.begin();
    try {
      await app.close();
      await stopTracing();
    } catch (err) {
      logger.error({ err, signal }, 'Shutdown failed; exiting', 'Shutdown');
      process.exit(1);
    }
    clearTimeout(timer);
    logger.log(
      { signal, graceMs, durationMs: Math.round(performance.now() - started) },
      'Shut down: in-flight work finished, transports and pools closed',
      'Shutdown',
    );
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, (s) => void shutdown(s));
}
