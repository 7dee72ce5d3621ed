/**
 * OpenTelemetry tracing for the process: the Node SDK with HTTP and PostgreSQL (pg) instrumentation, W3C
 * trace context, spans exported over OTLP. Off unless an OTLP endpoint is configured with the standard
 * variables (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); everything else
 * (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER,
 * OTEL_BSP_*, OTEL_SDK_DISABLED) is read by the SDK as documented by OpenTelemetry.
 *
 * The entry point loads this before the application, so the instrumentations hook `http` and `pg`
 * before Fastify and TypeORM load them.
 */
type Env = Record<string, string | undefined>;

let shutdown: (() => Promise<void>) | undefined;

export function tracingEnabled(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export async function startTracing(env: Env = process.env): Promise<void> {
  if (!tracingEnabled(env) || shutdown) return;
  // Metrics are served to Prometheus at /metrics and logs go to stdout: only traces leave over OTLP.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'modular-monolith',
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
