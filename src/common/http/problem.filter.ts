import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContextStore } from '../context/request-context.js';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError, type ErrorDefinition } from '../errors/domain-error.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { problemBody } from './problem.body.js';
import type { RouteMethods } from './route-methods.js';
import { SECURITY_HEADERS } from './security.headers.js';

/** Errors raised by the HTTP layer itself (routing, body parsing, static files), by status, with a sentence of our own. */
const FRAMEWORK_ERRORS: Record<number, [ErrorDefinition, string]> = {
  400: [CommonErrors.MALFORMED_REQUEST, 'The request is malformed'],
  403: [CommonErrors.FORBIDDEN, 'This resource cannot be served'],
  404: [CommonErrors.ROUTE_NOT_FOUND, 'No route matches this method and path'],
  405: [CommonErrors.METHOD_NOT_ALLOWED, 'This method is not allowed on this path'],
  408: [CommonErrors.REQUEST_TIMEOUT, 'The request took too long to arrive'],
  412: [CommonErrors.PRECONDITION_FAILED, 'A precondition of the request does not hold'],
  413: [CommonErrors.PAYLOAD_TOO_LARGE, 'The request body is too large'],
  414: [CommonErrors.URI_TOO_LONG, 'The request path is too long'],
  415: [CommonErrors.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json'],
  416: [CommonErrors.RANGE_NOT_SATISFIABLE, 'The requested range cannot be served'],
  429: [CommonErrors.TOO_MANY_REQUESTS, 'Too many requests; slow down'],
  431: [CommonErrors.HEADERS_TOO_LARGE, 'The request headers are too large'],
};

/** The HTTP-layer error for a status; any other client error is a malformed request. */
export function frameworkError(status: number): DomainError {
  const [definition, message] = FRAMEWORK_ERRORS[status] ?? FRAMEWORK_ERRORS[400];
  return new DomainError(definition, message);
}

/**
 * The one place where an exception becomes an HTTP answer: application/problem+json (RFC 9457), never
 * cached, with the security headers even where no hook set them (processes without the public API).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  /** `routes` turns a 404 for a path that some route answers with another method into a 405. */
  constructor(private readonly routes?: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let error = this.toDomainError(exception, request);
    if (error.code === CommonErrors.ROUTE_NOT_FOUND.code && !(exception instanceof DomainError)) {
      const allowed = this.routes?.allowed(request.url) ?? [];
      if (allowed.length) {
        error = frameworkError(405);
        reply.header('allow', allowed.join(', '));
      }
    }
    const correlationId = RequestContextStore.current()?.correlationId ?? String(request.id);
    if (error.status === 503) {
      const after = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1;
      reply.header('retry-after', String(after));
    }
    if (error.status === 429) {
      // From the HTTP limiter (its headers), or from a module's own limit (the error's details).
      const fromModule = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      reply.header('retry-after', String(Math.max(fromModule ?? 0, retryAfter(reply))));
    }
    reply
      .status(error.status)
      .headers({
        ...SECURITY_HEADERS,
        'cache-control': 'no-store',
        'x-correlation-id': correlationId,
        'content-type': PROBLEM_CONTENT_TYPE,
      })
      .send(problemBody(error, request.url, correlationId));
  }

  private toDomainError(exception: unknown, request: FastifyRequest): DomainError {
    if (exception instanceof DomainError) {
      if (exception.status >= 500 && exception.code === CommonErrors.INTERNAL.code) {
        this.logger.error({ err: exception, url: request.url }, 'Internal error reported by a module');
      }
      return exception;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return frameworkError(status);
    this.logger.error({ err: exception, url: request.url }, 'Unhandled error');
    return new DomainError(CommonErrors.INTERNAL, 'Internal server error');
  }
}

/** Seconds until the first exhausted rate limit lets requests through again (the limiter names one header per limit). */
function retryAfter(reply: FastifyReply): number {
  const seconds = Object.entries(reply.getHeaders())
    .filter(([name]) => /^retry-after(-|$)/i.test(name))
    .map(([, value]) => Number(value))
    .filter((n) => Number.isFinite(n) && n > 0);
  return seconds.length ? Math.max(...seconds) : 1;
}
