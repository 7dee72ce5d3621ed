import type { FastifyInstance } from 'fastify';
import { RequestContextStore } from './request-context.js';

/**
 * Runs every HTTP handler inside its request context, so every bus call it makes carries the
 * correlation id and the caller's credential. A preHandler hook: the body has been read by then, and
 * Fastify calls the route's handler (Nest's guards, pipes and controller) from this hook's `done`, so
 * all of it, and everything it awaits, sees the context.
 */
export function runHandlersInRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => {
    RequestContextStore.run({ correlationId: String(request.id), authorization: request.headers.authorization }, done);
  });
}
