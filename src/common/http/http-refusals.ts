import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import { PROBLEM_CONTENT_TYPE, statusText } from './problem.js';
import { problemBody } from './problem.body.js';
import { frameworkError } from './problem.filter.js';
import type { RouteMethods } from './route-methods.js';
import { SECURITY_HEADERS } from './security.headers.js';

/*
 * Answers for requests refused before any hook or exception filter can run: by the router (a broken
 * percent-encoding, an over-long path parameter) or by Node's HTTP parser (oversized headers, a
 * method HTTP does not know, a timeout). They get the same problem+json, headers and correlation id
 * as every other error.
 */

const problemHeaders = (correlationId: string, extra: Record<string, string> = {}) => ({
  ...SECURITY_HEADERS,
  'cache-control': 'no-store',
  'x-correlation-id': correlationId,
  'content-type': PROBLEM_CONTENT_TYPE,
  ...extra,
});

/** The router's refusals (fastify `frameworkErrors`), answered with the request's correlation id. */
export function answerRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? frameworkError(414)
      : new DomainError(CommonErrors.MALFORMED_REQUEST, 'The request path is not validly percent-encoded');
  const correlationId = String(request.id);
  reply
    .code(refusal.status)
    .headers(problemHeaders(correlationId))
    .send(JSON.stringify(problemBody(refusal, '/', correlationId)));
}

/** Node's HTTP parser refusals (`clientError`), written straight to the socket, which is then closed. */
export function clientErrorAnswerer(routes: RouteMethods) {
  return (err: { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (!socket.writable) return void socket.destroy();
    let refusal: DomainError;
    const extra: Record<string, string> = {};
    if (err.code === 'HPE_HEADER_OVERFLOW') refusal = frameworkError(431);
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') refusal = frameworkError(408);
    else if (err.code === 'HPE_INVALID_METHOD') refusal = unknownMethod(routes, targetOf(err.rawPacket), extra);
    else refusal = new DomainError(CommonErrors.MALFORMED_REQUEST, 'The request is not valid HTTP');
    writeProblem(socket, refusal, extra);
  };
}

/** CONNECT is no method of this API: Node hands it to a listener of its own, or drops the connection silently. */
export function answerConnect(routes: RouteMethods) {
  return (request: IncomingMessage, socket: Socket): void => {
    const extra: Record<string, string> = {};
    writeProblem(socket, unknownMethod(routes, request.url ?? '', extra), extra);
  };
}

/**
 * Paths with `.` or `..` segments (raw or percent-encoded) name nothing in this API; refusing them in
 * the first hook keeps them away from the static file server, whose refusal is no problem+json.
 */
export function refuseDotSegments(fastify: FastifyInstance): void {
  const dotSegment = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!dotSegment.test(request.url.split('?')[0])) return done();
    const refusal = new DomainError(CommonErrors.MALFORMED_REQUEST, 'The path contains dot segments');
    const correlationId = String(request.id);
    reply
      .code(refusal.status)
      .headers(problemHeaders(correlationId))
      .send(JSON.stringify(problemBody(refusal, '/', correlationId)));
  });
}

function unknownMethod(routes: RouteMethods, target: string, extra: Record<string, string>): DomainError {
  const allowed = target.startsWith('/') ? routes.allowed(target) : [];
  if (!allowed.length) return frameworkError(404);
  extra.allow = allowed.join(', ');
  return frameworkError(405);
}

function targetOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '';
  const line = rawPacket.subarray(0, 8192).toString('latin1').split('\r\n')[0];
  return /^\S+ (\S+)/.exec(line)?.[1] ?? '';
}

function writeProblem(socket: Socket, refusal: DomainError, extra: Record<string, string>): void {
  const correlationId = randomUUID();
  const body = JSON.stringify(problemBody(refusal, '/', correlationId));
  const headers = { ...problemHeaders(correlationId, extra), 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${refusal.status} ${statusText(refusal.status)}\r\n${head}\r\n\r\n${body}`);
}
