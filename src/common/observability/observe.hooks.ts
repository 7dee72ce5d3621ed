import { Logger } from '@nestjs/common';
import type { Server } from '@nestjs/microservices';
import type { FastifyInstance } from 'fastify';
import { RequestContextStore, safeCorrelationId } from '../context/request-context.js';
import { startHandleSpan } from './bus.tracing.js';
import { busMessagesHandled, httpRequestDuration } from './metrics.instruments.js';

const httpLogger = new Logger('Http');
const busLogger = new Logger('Bus');

/** What observeHttp records of each request: its log line (LOG_REQUESTS) and its duration (METRICS_HTTP). */
export interface HttpObservation {
  requestLog: boolean;
  metrics: boolean;
}

/**
 * Gives every HTTP request a correlation id (the caller's `x-correlation-id` if it is plain, else a new
 * one), echoes it in the response, and logs one line per request with it.
 */
export function observeHttp(fastify: FastifyInstance, observe: HttpObservation = { requestLog: true, metrics: true }): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-correlation-id', String(request.id));
    done();
  });
  if (!observe.requestLog && !observe.metrics) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (observe.metrics) {
      httpRequestDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    if (observe.requestLog) {
      httpLogger.log(
        {
          correlationId: String(request.id),
          method: request.method,
          url: request.url.split('?')[0],
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}

export const genCorrelationId = (req: { headers: Record<string, unknown> }) => safeCorrelationId(req.headers['x-correlation-id']);

type RpcContextLike = { getPattern?: () => string; getChannel?: () => string; getMetadata?: () => Record<string, string> | undefined };

/** The pattern a message was sent to, whatever the transport's context calls it (Redis: its channel). */
export const patternOf = (ctx: RpcContextLike): string => ctx.getPattern?.() ?? ctx.getChannel?.() ?? 'unknown';

/**
 * Runs every message handler of a server inside the request context its packet metadata carries and
 * inside a span whose parent is the caller's (trace context in the same metadata), and logs one line
 * per handled message with the same correlation id the caller logged.
 *
 * `handledLevel`: a message from the same process (the in-process bus) is part of a request this
 * process has already logged with that correlation id, so its line can go at debug level, or, when the
 * process logs nothing at debug level, not be built at all ('none'); a message from another process is
 * the only line this process writes for it.
 */
export function observeServer(server: Server, handledLevel: 'log' | 'debug' | 'none' = 'log'): void {
  const started = new WeakMap<object, { at: number; correlationId: string; span: ReturnType<typeof startHandleSpan>['span'] }>();
  server.setOnProcessingStartHook((_transport, context, done) => {
    const ctx = context as RpcContextLike;
    const metadata = ctx.getMetadata?.();
    const { span, run } = startHandleSpan(patternOf(ctx), metadata);
    const requestContext = RequestContextStore.fromMetadata(metadata);
    started.set(context as object, { at: performance.now(), correlationId: requestContext.correlationId, span });
    return run(() => RequestContextStore.run(requestContext, done));
  });
  server.setOnProcessingEndHook((_transport, context) => {
    const ctx = context as RpcContextLike;
    const handling = started.get(context as object);
    handling?.span.end();
    busMessagesHandled.inc({ pattern: patternOf(ctx) });
    if (handledLevel === 'none') return;
    busLogger[handledLevel](
      {
        correlationId: handling?.correlationId ?? RequestContextStore.fromMetadata(ctx.getMetadata?.()).correlationId,
        pattern: patternOf(ctx),
        durationMs: handling === undefined ? undefined : Math.round(performance.now() - handling.at),
      },
      'message handled',
    );
  });
}
