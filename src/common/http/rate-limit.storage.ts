import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Slots per window: a hit stops counting between ttl and ttl + ttl/SLOTS after it was made. */
const SLOTS = 10;

/** Hits of one key in the last SLOTS slots of ttl/SLOTS ms each, plus the slot now filling. */
class SlidingWindow {
  private readonly counts = new Uint32Array(SLOTS + 1);
  private readonly slotMs: number;
  private head: number;
  total = 0;
  blockedUntil = 0;

  constructor(
    readonly ttl: number,
    now: number,
  ) {
    this.slotMs = Math.max(1, ttl / SLOTS);
    this.head = Math.floor(now / this.slotMs);
  }

  /** Forgets the slots that left the window; at most SLOTS + 1 steps, however long the key was idle. */
  advance(now: number): void {
    const slot = Math.floor(now / this.slotMs);
    if (slot - this.head > SLOTS) {
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let s = this.head + 1; s <= slot; s++) {
        this.total -= this.counts[s % (SLOTS + 1)];
        this.counts[s % (SLOTS + 1)] = 0;
      }
    }
    this.head = Math.max(this.head, slot);
  }

  add(): void {
    this.counts[this.head % (SLOTS + 1)]++;
    this.total++;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Seconds until the oldest counted hit stops counting (the whole window when there is none). */
  secondsToExpiry(now: number): number {
    for (let s = this.head - SLOTS; s <= this.head; s++) {
      if (this.counts[((s % (SLOTS + 1)) + SLOTS + 1) % (SLOTS + 1)] > 0) {
        return Math.max(1, Math.ceil(((s + SLOTS + 1) * this.slotMs - now) / 1000));
      }
    }
    return Math.ceil(this.ttl / 1000);
  }
}

/**
 * The rate limiter's in-memory storage, at a cost per request that does not grow with traffic. The
 * library's own keeps the expiry time of every hit and filters that list on each request, so a client
 * near a high limit makes every one of its requests walk thousands of entries; this counts hits per
 * time slot instead. Blocking is the library's: past `limit` the key is refused for `blockDuration`,
 * hits while blocked do not count, and the first hit after the block starts a fresh count.
 */
export class SlidingWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, SlidingWindow>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const id = `${throttlerName}\u0000${key}`;
    let window = this.windows.get(id);
    if (!window || window.ttl !== ttl) {
      window = new SlidingWindow(ttl, now);
      this.windows.set(id, window);
      this.sweepEvery(ttl);
    }
    window.advance(now);
    if (blockDuration <= 0) {
      const isBlocked = window.total >= limit;
      if (!isBlocked) window.add();
      const timeToExpire = window.secondsToExpiry(now);
      return { totalHits: window.total + (isBlocked ? 1 : 0), timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
    }
    if (window.blockedUntil !== 0 && window.blockedUntil <= now) {
      window.blockedUntil = 0;
      window.reset();
    }
    if (window.blockedUntil === 0) {
      window.add();
      if (window.total > limit) window.blockedUntil = now + blockDuration;
    }
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits: window.total,
      timeToExpire: window.secondsToExpiry(now),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  /** How many keys are held: bounded by the clients seen in the last window, whatever their traffic. */
  get size(): number {
    return this.windows.size;
  }

  /** Drops the keys with no hit in their window and no block, so memory follows the clients of the last window. */
  sweep(): void {
    const now = this.now();
    for (const [id, window] of this.windows) {
      window.advance(now);
      if (window.total === 0 && window.blockedUntil <= now) this.windows.delete(id);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private sweepEvery(ttl: number): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, ttl));
    this.sweeper.unref();
  }
}
