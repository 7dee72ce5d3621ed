import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { CommonErrors } from '../errors/common.errors.js';
import { DomainError, ErrorBody } from '../errors/domain-error.js';

/** The one place where a core turns what it threw into the `{ code, status, message, details? }` a caller receives. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof DomainError) return throwError(() => exception.toBody());
    const pattern = host.switchToRpc().getContext()?.getPattern?.();
    this.logger.error({ err: exception, pattern }, 'Unhandled error in a message handler');
    const body: ErrorBody = { ...CommonErrors.INTERNAL, message: 'Internal server error' };
    return throwError(() => body);
  }
}
