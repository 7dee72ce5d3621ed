import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Spans for the bus: one per send or emit on the caller's side, one per handled message on the core's
 * side, linked through W3C trace context (`traceparent`, `tracestate`) in packet metadata, so over
 * every transport a request is one trace across processes. Without a registered SDK (tracing off)
 * every call here is a no-op of the OpenTelemetry API.
 */
const tracer = trace.getTracer('modular-monolith.bus');

/** Whether the hooks below run at all (TRACING_HOOKS); set by tracing.preload.ts before the application loads. */
let hooksOn = true;
/** The span of a handled message while the hooks are off: records nothing, carries no context. */
const OFF_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function useTracingHooks(on: boolean): void {
  hooksOn = on;
}

const attributes = (target: string, pattern: string, transport: string) => ({
  'rpc.system': 'nestjs-microservices',
  'rpc.service': target,
  'rpc.method': pattern,
  'bus.transport': transport,
});

/** Runs a send (or an emit) inside a client span; the dispatch hook sees it as the active span. */
export function traceSend<T>(kind: 'send' | 'emit', target: string, pattern: string, transport: string, run: () => Promise<T>): Promise<T> {
  if (!hooksOn) return run();
  const span = tracer.startSpan(`${kind} ${pattern}`, {
    kind: kind === 'send' ? SpanKind.CLIENT : SpanKind.PRODUCER,
    attributes: attributes(target, pattern, transport),
  });
  if (inert(span)) return run();
  return context.with(trace.setSpan(context.active(), span), async () => {
    try {
      return await run();
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * A span that records nothing and carries no trace context (tracing off, no trace to continue):
 * making it the active span would change nothing a callee could see, so it is not.
 */
function inert(span: Span): boolean {
  return !span.isRecording() && !isSpanContextValid(span.spanContext());
}

/** Adds the active trace context to outgoing packet metadata. */
export function injectTraceContext(metadata: Record<string, string>): Record<string, string> {
  if (hooksOn) propagation.inject(context.active(), metadata);
  return metadata;
}

/** Starts the span of a handled message as a child of the caller's span named in its metadata. */
export function startHandleSpan(pattern: string, metadata: Record<string, string> | undefined): { span: Span; run: <T>(fn: () => T) => T } {
  if (!hooksOn) return { span: OFF_SPAN, run: (fn) => fn() };
  const parent = propagation.extract(ROOT_CONTEXT, metadata ?? {});
  const span = tracer.startSpan(
    `handle ${pattern}`,
    { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'nestjs-microservices', 'rpc.method': pattern } },
    parent,
  );
  if (inert(span)) return { span, run: (fn) => fn() };
  const active = trace.setSpan(parent, span);
  return { span, run: (fn) => context.with(active, fn) };
}

function fail(span: Span, err: unknown): void {
  const code = (err as { code?: unknown })?.code;
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : (err as Error)?.message });
}
