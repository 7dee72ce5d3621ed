import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CommonErrors } from '../../common/errors/common.errors.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { authConfig } from './auth.settings.js';

/**
 * The auth core's own brake on password guessing, whichever way an attempt arrives (through the HTTP
 * gateway, whose limits are per client address, or as a message sent straight to the core, which has
 * none): after AUTH_FAILED_ATTEMPTS failed attempts on one account within AUTH_FAILED_ATTEMPTS_WINDOW_MS,
 * further attempts on it answer COMMON.TOO_MANY_REQUESTS until the window ends. Only failures count, and
 * the budget is larger than the gateway's per-client one, so an honest user behind a shared address is
 * rarely stopped; a success clears the account's count.
 *
 * Counted in the auth schema (table `failed_attempts`, on the database's clock), so every auth process
 * of a deployment sees the same count: N replicas do not allow N times the budget.
 */
@Injectable()
export class FailedAttempts {
  constructor(
    @InjectDataSource('auth') private readonly dataSource: DataSource,
    @Inject(authConfig.KEY) private readonly settings: ConfigType<typeof authConfig>,
  ) {}

  /** Refuses an account whose window is full; resolves whether it has failures recorded (for `succeeded`). */
  async assertAllowed(account: string): Promise<boolean> {
    const [row]: Array<{ failures: number; seconds_left: number }> = await this.dataSource.query(
      `SELECT failures, ceil(extract(epoch FROM window_ends_at - now()))::int AS seconds_left
       FROM "auth"."failed_attempts" WHERE account = $1 AND window_ends_at > now()`,
      [account],
    );
    if (row && row.failures >= this.settings.failedAttempts) {
      throw new DomainError(CommonErrors.TOO_MANY_REQUESTS, 'Too many failed attempts for this account; wait and try again', {
        retryAfterSeconds: Math.max(1, row.seconds_left),
      });
    }
    return row !== undefined;
  }

  /** Counts a failure: the first one opens the account's window. */
  async failed(account: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "auth"."failed_attempts" AS f (account, failures, window_ends_at)
       VALUES ($1, 1, now() + make_interval(secs => $2::float8 / 1000.0))
       ON CONFLICT (account) DO UPDATE SET
         failures = CASE WHEN f.window_ends_at > now() THEN f.failures + 1 ELSE 1 END,
         window_ends_at = CASE WHEN f.window_ends_at > now() THEN f.window_ends_at ELSE EXCLUDED.window_ends_at END`,
      [account, this.settings.failedAttemptsWindowMs],
    );
  }

  /** Clears the account's count after a success (only when it had one: most sign-ins write nothing). */
  async succeeded(account: string, hadFailures: boolean): Promise<void> {
    if (hadFailures) await this.dataSource.query('DELETE FROM "auth"."failed_attempts" WHERE account = $1', [account]);
  }
}
