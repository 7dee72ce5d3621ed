import type { FastifyInstance } from 'fastify';
import type { ShutdownState } from './shutdown.state.js';

/**
 * From the moment the process starts leaving, every HTTP/1.1 response says `Connection: close` and its
 * connection ends once the response is written. A kept-alive client (a load balancer's pool of
 * connections to this server) then learns with each answer not to send on that connection again, so
 * nothing is ever sent on a connection the server is closing: the ones that carried a request during
 * the readiness delay close after their answer, requests in flight when the server stops accepting do
 * the same, and only connections idle since before the signal are left for the server to close.
 */
export function closeConnectionsWhenLeaving(fastify: FastifyInstance, state: ShutdownState): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (state.leaving && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    done(null, payload);
  });
}
