import { Counter, Gauge, Histogram } from 'prom-client';

/** Registered on prom-client's default registry, which GET /metrics exposes. */
export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const busCallDuration = new Histogram({
  name: 'bus_call_duration_seconds',
  help: 'Calls to other modules over the bus, by target module, pattern, transport and outcome (ok or the error code)',
  labelNames: ['target', 'pattern', 'transport', 'outcome'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const busMessagesHandled = new Counter({
  name: 'bus_messages_handled_total',
  help: 'Messages handled by the module cores of this process, by pattern',
  labelNames: ['pattern'] as const,
});

export const moduleReachable = new Gauge({
  name: 'module_reachable',
  // Across the workers of a process: reachable only if every worker reached it.
  aggregator: 'min',
  help: 'Whether a module this process calls in another process answered its last readiness ping (1) or not (0)',
  labelNames: ['module'] as const,
});
