import { EventSignal } from './event.signal.js';

describe('EventSignal', () => {
  it('wakes a waiter at the next notification', async () => {
    const signal = new EventSignal();
    const woken = signal.wait(60_000).then(() => 'woken');
    signal.notify();
    await expect(woken).resolves.toBe('woken');
  });

  it('returns at once when a notification came after the generation the caller noted', async () => {
    const signal = new EventSignal();
    const noted = signal.generation;
    // Notified while nobody waited (the relay was busy in a round): the next wait must not sleep through it.
    signal.notify();
    await expect(
      Promise.race([signal.wait(60_000, noted).then(() => 'at once'), new Promise((r) => setTimeout(() => r('slept'), 200))]),
    ).resolves.toBe('at once');
  });

  it('waits out `ms` when nothing was notified', async () => {
    const signal = new EventSignal();
    const started = Date.now();
    await signal.wait(50, signal.generation);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
