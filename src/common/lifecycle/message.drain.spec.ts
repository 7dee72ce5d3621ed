import type { MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, type Observable, Subject } from 'rxjs';
import { MessageDrain } from './message.drain.js';
import { ShutdownState } from './shutdown.state.js';

/** A handler that resolves with `value` when `release` is called, and the promise of its start. */
function held<T>(value: T) {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const handler = (async () => {
    started();
    await new Promise<void>((resolve) => (release = resolve));
    return value;
  }) as MessageHandler;
  return { handler, running, release: () => release() };
}

/** Whether `promise` has settled once the current turn's work is done. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('MessageDrain', () => {
  it('settles at once when nothing is in flight', async () => {
    expect(await settledNow(new MessageDrain().settled())).toBe(true);
  });

  it('settles only once a handler in flight has answered, and passes its plain value through', async () => {
    const drain = new MessageDrain();
    const slow = held('late');
    const answer = drain.wrap(slow.handler)({}, undefined);
    await slow.running;
    expect(drain.pending).toBe(1);
    const settled = drain.settled();
    expect(await settledNow(settled)).toBe(false);
    slow.release();
    expect(await answer).toBe('late');
    expect(await settledNow(settled)).toBe(true);
    expect(drain.pending).toBe(0);
  });

  it('counts a stream until it ends', async () => {
    const drain = new MessageDrain();
    const stream = new Subject<number>();
    const answer = (await drain.wrap((async () => stream) as MessageHandler)({}, undefined)) as Observable<number>;
    const values = lastValueFrom(answer);
    expect(drain.pending).toBe(1);
    stream.next(1);
    expect(drain.pending).toBe(1);
    stream.complete();
    expect(await values).toBe(1);
    expect(drain.pending).toBe(0);
  });

  it('counts a handler that throws down again', async () => {
    const drain = new MessageDrain();
    const failing = drain.wrap((async () => {
      throw new Error('boom');
    }) as MessageHandler);
    await expect(failing({}, undefined)).rejects.toThrow('boom');
    expect(drain.pending).toBe(0);
  });

  it('refuses new messages with BUS.UNAVAILABLE once shutdown began, when told to, without running the handler', async () => {
    const state = new ShutdownState();
    let ran = 0;
    const handler = (async () => ++ran) as MessageHandler;
    const refusing = new MessageDrain({ refuseWhenShuttingDown: true }, state).wrap(handler);
    const serving = new MessageDrain({ refuseWhenShuttingDown: false }, state).wrap(handler);
    expect(await refusing({}, undefined)).toBe(1);
    state.leave();
    expect(await refusing({}, undefined)).toBe(2);
    state.begin();
    const refusal = (await refusing({}, undefined)) as Observable<unknown>;
    await expect(lastValueFrom(refusal)).rejects.toEqual({
      code: 'BUS.UNAVAILABLE',
      status: 503,
      message: 'The process hosting this module is shutting down',
      details: { retryAfterSeconds: 1 },
    });
    expect(await serving({}, undefined)).toBe(3);
    expect(ran).toBe(3);
  });
});
