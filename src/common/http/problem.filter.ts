import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContextStore } from '../context/request-context.js';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import { PROBLEM_CONTENT_TYPE, statusText } from './problem.js';

/** Errors raised by the HTTP layer itself (routing, body parsing), by status. */
const FRAMEWORK_CODES: Record<number, { code: string; status: number }> = {
  400: CommonErrors.MALFORMED_REQUEST,
  404: CommonErrors.ROUTE_NOT_FOUND,
  405: CommonErrors.METHOD_NOT_ALLOWED,
  413: CommonErrors.PAYLOAD_TOO_LARGE,
  415: CommonErrors.UNSUPPORTED_MEDIA_TYPE,
  429: CommonErrors.TOO_MANY_REQUESTS,
};

/** The one place where an exception becomes an HTTP answer: application/problem+json (RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = this.toDomainError(exception, request);
    const correlationId = RequestContextStore.current()?.correlationId ?? String(request.id);
    const body: Record<string, unknown> = {
      type: `urn:problem:${error.code}`,
      title: statusText(error.status),
      status: error.status,
      detail: error.message,
      code: error.code,
      instance: request.url.split('?')[0],
      correlationId,
    };
    if (error.code === CommonErrors.VALIDATION_FAILED.code) body.errors = error.details;
    if (error.status === 503) {
      const after = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1;
      reply.header('retry-after', String(after));
    }
    reply.status(error.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  private toDomainError(exception: unknown, request: FastifyRequest): DomainError {
    if (exception instanceof DomainError) {
      if (exception.status >= 500 && exception.code === CommonErrors.INTERNAL.code) {
        this.logger.error({ err: exception, url: request.url }, 'Internal error reported by a module');
      }
      return exception;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
    const known = status ? FRAMEWORK_CODES[status] : undefined;
    if (known) {
      const message = status === 404 ? 'No route matches this method and path' : frameworkMessage(exception, status!);
      return new DomainError(known, message);
    }
    this.logger.error({ err: exception, url: request.url }, 'Unhandled error');
    return new DomainError(CommonErrors.INTERNAL, 'Internal server error');
  }
}

/** A safe sentence for a framework error: the framework's own text only for client errors it describes. */
function frameworkMessage(exception: unknown, status: number): string {
  switch (status) {
    case 413: return 'The request body is too large';
    case 415: return 'Send the body as application/json';
    case 429: return 'Too many requests; slow down';
    case 405: return 'This method is not allowed on this path';
    default: {
      const message = (exception as { message?: unknown })?.message;
      return typeof message === 'string' && message.length < 200 && !/\n/.test(message) ? message : 'The request is malformed';
    }
  }
}
