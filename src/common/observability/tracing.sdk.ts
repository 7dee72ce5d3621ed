import type { TracingSettings } from './tracing.settings.js';

/**
 * OpenTelemetry tracing for the process: the Node SDK with HTTP and PostgreSQL (pg) instrumentation, W3C
 * trace context, spans exported over OTLP. Started by tracing.preload.ts before the application loads,
 * so the instrumentations hook `http` and `pg` before Fastify and TypeORM load them.
 */
let shutdown: (() => Promise<void>) | undefined;

export async function startTracing(settings: TracingSettings): Promise<void> {
  if (!settings.enabled || shutdown) return;
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // Empty lists keep the SDK from starting its default OTLP metric and log exporters.
    ...(settings.exportMetrics ? {} : { metricReaders: [] }),
    ...(settings.exportLogs ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      // Probes and metrics scrapes would otherwise be most of the traces.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)(\/|$|\?)/.test(req.url ?? '') }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  shutdown = () => sdk.shutdown();
}

/** Exports the spans still buffered; called last by the graceful shutdown. */
export async function stopTracing(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}
