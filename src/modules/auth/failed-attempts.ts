import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { CommonErrors } from '../../common/errors/common.errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { authConfig } from './auth.settings.js';

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * The auth core's own brake on password guessing, whichever way an attempt arrives (through the HTTP
 * gateway, whose limits are per client address, or as a message sent straight to the core, which has
 * none): after AUTH_FAILED_ATTEMPTS failed attempts on one account within AUTH_FAILED_ATTEMPTS_WINDOW_MS,
 * further attempts on it answer COMMON.TOO_MANY_REQUESTS until the window ends. Only failures count, and
 * the budget is larger than the gateway's per-client one, so an honest user behind a shared address is
 * rarely stopped; a success clears the account's count. Counted in this process's memory.
 */
@Injectable()
export class FailedAttempts {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(authConfig.KEY) private readonly settings: ConfigType<typeof authConfig>) {}

  assertAllowed(account: string): void {
    const window = this.current(account);
    if (window && window.failures >= this.settings.failedAttempts) {
      throw new DomainError(CommonErrors.TOO_MANY_REQUESTS, 'Too many failed attempts for this account; wait and try again', {
        retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - Date.now()) / 1000)),
      });
    }
  }

  failed(account: string): void {
    const window = this.current(account) ?? { failures: 0, endsAt: Date.now() + this.settings.failedAttemptsWindowMs };
    window.failures += 1;
    this.windows.set(account, window);
    if (this.windows.size > 100_000) this.sweep();
  }

  succeeded(account: string): void {
    this.windows.delete(account);
  }

  private current(account: string): Window | undefined {
    const window = this.windows.get(account);
    if (window && window.endsAt <= Date.now()) {
      this.windows.delete(account);
      return undefined;
    }
    return window;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
  }
}
