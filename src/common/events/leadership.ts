import { Logger } from '@nestjs/common';
import type { ModuleSession } from '../database/module-session.js';
import { EventSignal } from './event.signal.js';

export interface LeadershipTiming {
  /** How often a process that does not lead tries to take the lead. */
  retryMs: number;
  /** How often the leader proves its session (and so its lock) is still alive. */
  checkMs: number;
}

/**
 * Lets one process at a time move a module's events when several replicas share its PostgreSQL schema,
 * so events keep their order: a session advisory lock on the module's ModuleSession.
 *
 * The leader re-checks its session at least every `checkMs`: a session the server ended (a database
 * restart, a killed backend) released the lock, and a leader that cannot prove its session stops
 * leading at once. So two processes lead at the same time only for the rest of one delivery round of
 * the old leader, which the consumers' inboxes make harmless (a duplicate is acknowledged without
 * effect). The lock is released explicitly when a process resigns, which tells the others (NOTIFY) so
 * one takes over at once, and with the session when the process dies, so another replica takes over
 * within `retryMs`. No pooled connection is held.
 * Without a session (the embedded database, which belongs to one process) the process always leads.
 */
export class Leadership {
  private readonly logger = new Logger('Leadership');
  private leading = false;
  private nextTry = 0;
  private nextCheck = 0;
  private pending: Promise<boolean> | undefined;
  /** The session generation the lock was taken in. */
  private lockedIn = -1;
  /** Notified when the leader resigns: the others try at once instead of at their next retry. */
  private readonly released = new EventSignal();
  private readonly channel: string;

  constructor(
    private readonly session: ModuleSession | undefined,
    private readonly key: string,
    private readonly timing: LeadershipTiming = { retryMs: 2000, checkMs: 1000 },
  ) {
    this.channel = `mm_lead_${key.replace(/[^a-z0-9]+/g, '_')}`.slice(0, 63);
    session?.listen(this.channel, () => {
      this.nextTry = 0;
      this.released.notify();
    });
  }

  /** Resolves after `ms`, or as soon as the leader announces it resigned (at once if it did since the last try). */
  waitForChance(ms: number): Promise<void> {
    if (this.session && !this.leading && this.nextTry === 0) return Promise.resolve();
    return this.released.wait(ms);
  }

  /** Whether this process leads now (as last proven); tries to take or re-check the lead when due. */
  lead(): Promise<boolean> {
    if (!this.session) return Promise.resolve(true);
    const due = this.leading ? Date.now() >= this.nextCheck : Date.now() >= this.nextTry;
    if (!due) return Promise.resolve(this.leading);
    this.pending ??= (this.leading ? this.check() : this.take()).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Makes the next `lead()` prove the session again (after a round failed, for instance). */
  doubt(): void {
    this.nextCheck = 0;
  }

  /** Gives up the lead: the lock is released now, so another replica can take it on its next try. */
  async resign(): Promise<void> {
    await this.pending?.catch(() => undefined);
    if (!this.session || !this.leading) return;
    this.leading = false;
    if (this.session.generation !== this.lockedIn) return;
    try {
      await this.session.query("SELECT pg_advisory_unlock(hashtext($1)), pg_notify($2, '')", [this.key, this.channel]);
    } catch {
      // The session failed, and ended with it: the lock went with the session.
    }
    this.logger.log({ key: this.key }, 'This process no longer relays these events');
  }

  private async take(): Promise<boolean> {
    this.nextTry = Date.now() + this.timing.retryMs;
    try {
      const [row] = await this.session!.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.key]);
      this.leading = row.locked;
      this.lockedIn = this.session!.generation;
      this.nextCheck = Date.now() + this.timing.checkMs;
      if (this.leading) this.logger.log({ key: this.key }, 'This process now relays these events');
    } catch (err) {
      this.logger.warn({ err, key: this.key }, 'Could not try the relay lock; will try again');
      this.leading = false;
    }
    return this.leading;
  }

  private async check(): Promise<boolean> {
    try {
      // A statement answered on the session proves the session, and so its lock, still lives.
      await this.session!.query('SELECT 1');
      // Answered by a session opened since the lock was taken: that session holds no lock.
      if (this.session!.generation !== this.lockedIn) throw new Error('The session was reconnected');
      this.nextCheck = Date.now() + this.timing.checkMs;
    } catch (err) {
      this.leading = false;
      this.nextTry = 0;
      this.logger.warn({ err, key: this.key }, 'The relay lock was lost with its session; this process stops relaying');
    }
    return this.leading;
  }
}
