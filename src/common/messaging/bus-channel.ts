import { ClientProxy } from '@nestjs/microservices';
import { types } from 'node:util';
import CircuitBreaker from 'opossum';
import { firstValueFrom, lastValueFrom, TimeoutError, timeout } from 'rxjs';
import { BusErrors, CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';
import type { BusSettings } from '../config/settings.js';
import { InProcessClient } from './in-process.client.js';
import { NO_MESSAGE_HANDLER } from './in-process.server.js';
import { busCallDuration } from '../observability/metrics.instruments.js';
import { traceSend } from '../observability/bus.tracing.js';

export interface SendOptions {
  /** A query that changes nothing may be retried when the target is unreachable. */
  idempotent?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Everything between a typed client and a transport: the deadline on every call, error decoding,
 * and, for a module in another process, a circuit breaker and retries of idempotent queries.
 */
export class BusChannel {
  private readonly breaker?: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    readonly target: string,
    readonly proxy: ClientProxy,
    private readonly settings: BusSettings,
    readonly transport: string,
  ) {
    if (this.remote) {
      this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
        timeout: false,
        errorThresholdPercentage: settings.breakerErrorThresholdPercent,
        resetTimeout: settings.breakerResetMs,
        volumeThreshold: settings.breakerVolumeThreshold,
        // A domain answer (not found, conflict...) proves the target is healthy.
        errorFilter: (err: unknown) => err instanceof DomainError && err.status < 500,
        name: target,
      });
    }
  }

  /** Whether the target runs in another process (and so gets a breaker and retries). */
  get remote(): boolean {
    return this.transport !== 'local';
  }

  get circuitOpen(): boolean {
    return this.breaker?.opened ?? false;
  }

  async send<R>(pattern: string, payload: object, options: SendOptions = {}): Promise<R> {
    const started = performance.now();
    try {
      const reply = await traceSend('send', this.target, pattern, this.transport, () =>
        this.proxy instanceof InProcessClient
          ? this.sendInProcess<R>(this.proxy, pattern, payload)
          : this.sendWithRetries<R>(pattern, payload, options),
      );
      this.observe(pattern, 'ok', started);
      return reply;
    } catch (err) {
      this.observe(pattern, err instanceof DomainError ? err.code : 'unknown', started);
      throw err;
    }
  }

  private observe(pattern: string, outcome: string, started: number): void {
    busCallDuration.observe({ target: this.target, pattern, transport: this.transport, outcome }, (performance.now() - started) / 1000);
  }

  /**
   * The in-process path: the client's request API instead of its Observable, the deadline as a plain
   * timer. Same packet, same encoding, same errors; no breaker and no retries, as for any local target.
   */
  private sendInProcess<R>(client: InProcessClient, pattern: string, payload: object): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        cancel();
        reject(this.timedOut());
      }, this.settings.deadlineMs);
      const cancel = client.request(pattern, payload, (err, response) => {
        clearTimeout(timer);
        if (err) reject(this.decode(err));
        else resolve(response as R);
      });
    });
  }

  private async sendWithRetries<R>(pattern: string, payload: object, options: SendOptions): Promise<R> {
    const deadline = Date.now() + this.settings.deadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.guard(() =>
          // A handler that returns nothing answers with no value (JSON drops undefined): that is a reply, not a failure.
          firstValueFrom(this.proxy.send<R>(pattern, payload).pipe(timeout({ first: this.remaining(deadline) })), {
            defaultValue: undefined,
          }),
        )) as R;
      } catch (err) {
        const backoff = this.settings.retryBackoffMs * 2 ** attempt;
        const retry =
          options.idempotent &&
          this.remote &&
          err instanceof DomainError &&
          err.code === BusErrors.UNAVAILABLE.code &&
          !this.circuitOpen &&
          attempt < this.settings.retries &&
          Date.now() + backoff < deadline;
        if (!retry) throw err;
        await sleep(backoff);
      }
    }
  }

  /** Hands an event to the transport and waits until it has been accepted. */
  async emit(pattern: string, payload: object): Promise<void> {
    const deadline = Date.now() + this.settings.deadlineMs;
    await traceSend('emit', this.target, pattern, this.transport, () =>
      this.guard(() =>
        lastValueFrom(this.proxy.emit(pattern, payload).pipe(timeout({ first: this.remaining(deadline) })), {
          defaultValue: undefined,
        }),
      ),
    );
  }

  async close(): Promise<void> {
    this.breaker?.shutdown();
    await this.proxy.close();
  }

  private remaining(deadline: number): number {
    return Math.max(1, deadline - Date.now());
  }

  private async guard(call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await (this.breaker ? this.breaker.fire(() => call().catch((e) => Promise.reject(this.decode(e)))) : call());
    } catch (err) {
      throw this.decode(err);
    }
  }

  private timedOut(): DomainError {
    return new DomainError(BusErrors.TIMEOUT, `The ${this.target} module did not answer within ${this.settings.deadlineMs} ms`);
  }

  /** Turns whatever a transport failed with into a DomainError. */
  private decode(err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    if (DomainError.isBody(err)) return DomainError.fromBody(err);
    if (err instanceof TimeoutError) return this.timedOut();
    const message = typeof err === 'string' ? err : (err as { message?: unknown })?.message;
    if (message === NO_MESSAGE_HANDLER) {
      return new DomainError(BusErrors.UNKNOWN_PATTERN, `The ${this.target} module does not handle this message`);
    }
    if ((err as { code?: unknown })?.code === 'EOPENBREAKER') {
      return new DomainError(BusErrors.UNAVAILABLE, `The ${this.target} module is unavailable`, {
        retryAfterSeconds: Math.ceil(this.settings.breakerResetMs / 1000),
      });
    }
    // isNativeError also recognises errors made in another realm (a VM context, as under jest).
    if (err instanceof Error || types.isNativeError(err) || typeof err === 'string') {
      return new DomainError(BusErrors.UNAVAILABLE, `The ${this.target} module is unavailable`, { retryAfterSeconds: 1 });
    }
    return new DomainError(CommonErrors.INTERNAL, 'Internal server error');
  }
}
