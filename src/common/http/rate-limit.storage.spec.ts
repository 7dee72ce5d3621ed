import { SlidingWindowStorage } from './rate-limit.storage.js';

const TTL = 60_000;

describe('SlidingWindowStorage', () => {
  let now: number;
  let storage: SlidingWindowStorage;
  const hit = (limit = 3, blockDuration = TTL, key = 'client') => storage.increment(key, TTL, limit, blockDuration, 'default');

  beforeEach(() => {
    now = 1_700_000_004_000; // the start of a 6 s slot
    storage = new SlidingWindowStorage(() => now);
  });

  afterEach(() => storage.onApplicationShutdown());

  it('lets `limit` hits through, then blocks for blockDuration with the seconds left', async () => {
    for (let i = 1; i <= 3; i++) expect(await hit()).toMatchObject({ totalHits: i, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 60 });
    now += 20_000;
    expect(await hit()).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 40 });
  });

  it('starts a fresh count with the first hit after the block', async () => {
    for (let i = 0; i < 4; i++) await hit();
    now += TTL;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps a hit counted for at least ttl and at most ttl plus one slot', async () => {
    await hit(10);
    now += TTL - 1;
    expect(await hit(10)).toMatchObject({ totalHits: 2 });
    now += TTL / 10 + 1;
    expect(await hit(10)).toMatchObject({ totalHits: 2 });
    now += TTL + TTL / 10;
    expect(await hit(10)).toMatchObject({ totalHits: 1 });
  });

  it('says when the oldest counted hit stops counting', async () => {
    expect(await hit(10)).toMatchObject({ timeToExpire: 66 });
    now += 30_000;
    expect(await hit(10)).toMatchObject({ timeToExpire: 36 });
  });

  it('counts keys and throttlers apart', async () => {
    await hit(1, TTL, 'a');
    expect(await hit(1, TTL, 'b')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.increment('a', TTL, 1, TTL, 'other')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit(1, TTL, 'a')).toMatchObject({ isBlocked: true });
  });

  it('without a block duration refuses past the limit and counts again as hits expire', async () => {
    for (let i = 0; i < 3; i++) await hit(3, 0);
    expect(await hit(3, 0)).toMatchObject({ totalHits: 4, isBlocked: true });
    now += TTL + TTL / 10;
    expect(await hit(3, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('holds one small record per client however many hits it makes, and drops idle clients', async () => {
    for (let i = 0; i < 100_000; i++) await hit(1_000_000);
    await hit(1_000_000, TTL, 'other');
    expect(storage.size).toBe(2);
    now += 2 * TTL;
    storage.sweep();
    expect(storage.size).toBe(0);
  });
});
