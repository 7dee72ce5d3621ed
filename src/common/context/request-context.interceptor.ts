import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { RequestContextStore } from './request-context.js';

/** Runs an HTTP handler inside its request context, so every bus call it makes carries the correlation id. */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const authorization = request.headers.authorization;
    return new Observable((subscriber) =>
      RequestContextStore.run({ correlationId: String(request.id), authorization }, () => next.handle().subscribe(subscriber)),
    );
  }
}
