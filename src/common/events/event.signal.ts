/**
 * Wakes whoever waits for new outbox rows (the relay, a consumer's long fetch) as soon as a change
 * commits. A notification that comes while nobody waits is not lost: a caller notes `generation`
 * before it looks for work and passes it to `wait`, which returns at once if anything was notified
 * since, so an event written during a relay round is picked up by the next round, not a poll later.
 */
export class EventSignal {
  private waiters = new Set<() => void>();
  private notified = 0;

  /** How many notifications there have been; pass it to `wait` to hear of any that come after it. */
  get generation(): number {
    return this.notified;
  }

  notify(): void {
    this.notified += 1;
    const waiting = this.waiters;
    this.waiters = new Set();
    waiting.forEach((wake) => wake());
  }

  /** Resolves at the next notify after `since` (now, if one came already), or after `ms`. */
  wait(ms: number, since = this.notified): Promise<void> {
    if (this.notified !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }
}
