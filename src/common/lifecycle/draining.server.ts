import type { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { finalize, Observable, throwError } from 'rxjs';
import { BusErrors } from '../errors/common.errors.js';
import type { ErrorBody } from '../errors/domain-error.js';
import type { ShutdownState } from './shutdown.state.js';

export interface DrainOptions {
  /**
   * Answer new messages with BUS.UNAVAILABLE once the drain begins (after the readiness delay, when
   * the HTTP server stops accepting too). Right for a listener that other
   * processes reach (they retry or report 503); wrong for the in-process one, which serves the HTTP
   * requests this process accepted and is still finishing.
   */
  refuseWhenShuttingDown: boolean;
}

const REFUSAL: ErrorBody = {
  ...BusErrors.UNAVAILABLE,
  message: 'The process hosting this module is shutting down',
  details: { retryAfterSeconds: 1 },
};

/**
 * Makes a transport server count the messages its handlers are working on, and makes its close() wait
 * until none is left before the transport closes its sockets: a message it accepted is answered, one it
 * refused is answered with BUS.UNAVAILABLE before any handler ran. The caller bounds the wait
 * (SHUTDOWN_GRACE_MS). Works on any Nest transport server, since all of them look handlers up by pattern.
 */
export function drainOnClose<S extends Server & CustomTransportStrategy>(server: S, state: ShutdownState, options: DrainOptions): S {
  let inFlight = 0;
  const idle: Array<() => void> = [];
  const done = () => {
    inFlight -= 1;
    if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
  };
  const track = async (run: () => Promise<unknown>): Promise<Observable<unknown>> => {
    inFlight += 1;
    try {
      return server.transformToObservable(await run()).pipe(finalize(done));
    } catch (err) {
      done();
      throw err;
    }
  };

  const lookup = server.getHandlerByPattern.bind(server);
  server.getHandlerByPattern = (pattern: string): MessageHandler | null => {
    const handler = lookup(pattern);
    if (!handler) return handler;
    // A refusal is counted too: its answer must be written before the listener closes its connections.
    const run = options.refuseWhenShuttingDown && state.shuttingDown
      ? async () => track(async () => throwError(() => REFUSAL))
      : async (data: unknown, ctx: unknown) => track(() => handler(data, ctx));
    return Object.assign(run, { isEventHandler: handler.isEventHandler, extras: handler.extras, next: handler.next }) as MessageHandler;
  };

  const close = server.close.bind(server);
  const stopReceiving = (server as { stopReceiving?: () => Promise<void> }).stopReceiving?.bind(server);
  server.close = async () => {
    // A listener that can stop taking messages (a NATS queue group member) does so first: the module's
    // other processes take every new message, and what it already took is counted below.
    await stopReceiving?.();
    if (inFlight > 0) await new Promise<void>((resolve) => idle.push(resolve));
    // The last reply was handed to its socket in this turn; let it be written before the socket goes.
    await new Promise((resolve) => setImmediate(resolve));
    await close();
  };
  return server;
}
