import type { Env } from '../config/settings.source.js';
import { readBoolean } from '../config/settings.readers.js';

/**
 * Whether this process exports traces. Tracing is off unless an OTLP endpoint is configured with the
 * standard variables (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); everything else
 * (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_BSP_*, ...) is read by
 * the OpenTelemetry SDK itself, as OpenTelemetry documents it.
 */
export function readTracingSettings(env: Env) {
  const off = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none';
  return {
    enabled: !off && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'modular-monolith',
    // Metrics are served to Prometheus at /metrics and logs go to stdout: only traces leave over OTLP,
    // unless the operator names an exporter for the others.
    exportMetrics: Boolean(env.OTEL_METRICS_EXPORTER?.trim()),
    exportLogs: Boolean(env.OTEL_LOGS_EXPORTER?.trim()),
    /**
     * Whether the bus starts spans and carries trace context (TRACING_HOOKS). With tracing off each hook is
     * a no-op of the OpenTelemetry API, still called per message; false skips them, to measure that cost.
     */
    hooks: readBoolean(env, 'TRACING_HOOKS', true),
  };
}

export type TracingSettings = ReturnType<typeof readTracingSettings>;
