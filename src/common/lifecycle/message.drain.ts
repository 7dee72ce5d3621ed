import type { MessageHandler } from '@nestjs/microservices';
import { finalize, isObservable, throwError } from 'rxjs';
import { BusErrors } from '../errors/common.errors.js';
import type { ErrorBody } from '../errors/domain-error.js';
import { processShutdown, type ShutdownState } from './shutdown.state.js';

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
 * The messages one listener's handlers are working on. A listener wraps every handler as it registers
 * it (`wrap`, from its `addHandler`), so each message it hands a handler is counted, whichever way the
 * transport looks the handler up; its `close()` awaits `settled()` before the transport closes its
 * connections. So a message it accepted is answered, and one it refused is answered with
 * BUS.UNAVAILABLE before any handler ran. The caller bounds the wait (SHUTDOWN_GRACE_MS).
 */
export class MessageDrain {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly options: DrainOptions = { refuseWhenShuttingDown: false },
    private readonly state: ShutdownState = processShutdown,
  ) {}

  /** The handler counted while it runs (to the end of the stream it returns), or refused once shutdown began. */
  wrap(handler: MessageHandler): MessageHandler {
    return (async (data: unknown, context: unknown) => {
      // A refusal is counted too: its answer must be written before the listener closes its connections.
      if (this.options.refuseWhenShuttingDown && this.state.shuttingDown) return this.track(async () => throwError(() => REFUSAL));
      return this.track(() => handler(data, context));
    }) as MessageHandler;
  }

  /** Resolves once no message is in flight, and the last reply has had its turn to be written. */
  async settled(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    // The last reply was handed to its socket in this turn; let it be written before the socket goes.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** How many messages are in flight now. */
  get pending(): number {
    return this.inFlight;
  }

  private async track(run: () => Promise<unknown>): Promise<unknown> {
    this.inFlight += 1;
    let result: unknown;
    try {
      result = await run();
    } catch (err) {
      this.done();
      throw err;
    }
    // A stream is finished when it ends; a plain value is returned as it is, so a transport that answers
    // plain values directly (the in-process one) still does.
    if (isObservable(result)) return result.pipe(finalize(() => this.done()));
    this.done();
    return result;
  }

  private done(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.waiting.splice(0).forEach((resolve) => resolve());
  }
}
