import { jest } from '@jest/globals';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import type { BusSettings } from '../config/settings.js';
import { DomainError } from '../errors/domain-error.js';
import { BusChannel } from './bus-channel.js';
import { NO_MESSAGE_HANDLER } from './in-process.server.js';

/** What the fake transport does with one call. */
type Step = { reply: unknown } | { error: unknown } | { refuse: true } | { hang: true };

const refuse: Step = { refuse: true };
const hang: Step = { hang: true };

/** A transport whose every call follows a script: answer, fail with a remote error, refuse to connect, or never answer. */
class ScriptedProxy extends ClientProxy {
  readonly calls: Array<{ pattern: unknown; data: unknown; at: number }> = [];
  readonly events: ReadPacket[] = [];
  private step: Step = hang;

  constructor(private readonly script: (call: number) => Step) {
    super();
  }

  async connect(): Promise<void> {
    this.step = this.script(this.calls.length);
    this.calls.push({ pattern: undefined, data: undefined, at: Date.now() });
    if ('refuse' in this.step) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    }
  }

  close(): void {}

  unwrap<T>(): T {
    throw new Error('no underlying connection');
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    Object.assign(this.calls[this.calls.length - 1], { pattern: packet.pattern, data: packet.data });
    const step = this.step;
    const timer = setTimeout(
      () => {
        if ('reply' in step) callback({ response: step.reply, isDisposed: true });
        if ('error' in step) callback({ err: step.error, isDisposed: true });
      },
      'hang' in step ? 60_000 : 1,
    );
    return () => clearTimeout(timer);
  }

  protected async dispatchEvent<T>(packet: ReadPacket): Promise<T> {
    this.events.push(packet);
    return undefined as T;
  }
}

const SETTINGS: BusSettings = {
  deadlineMs: 150,
  retries: 2,
  retryBackoffMs: 20,
  breakerErrorThresholdPercent: 50,
  breakerResetMs: 2500,
  breakerVolumeThreshold: 3,
};

const notFound = { code: 'USERS.NOT_FOUND', status: 404, message: 'No user has this id' };
const internal = { code: 'COMMON.INTERNAL', status: 500, message: 'Internal server error' };

const channels: BusChannel[] = [];
function channel(script: (call: number) => Step, options: { remote?: boolean; settings?: Partial<BusSettings> } = {}) {
  const proxy = new ScriptedProxy(script);
  const c = new BusChannel('users', proxy, { ...SETTINGS, ...options.settings }, (options.remote ?? true) ? 'tcp' : 'local');
  channels.push(c);
  return { channel: c, proxy };
}

/**
 * Moves the fake clock forward one millisecond at a time until the call has settled, and says after
 * how many simulated milliseconds it did. Small steps keep the breaker's rolling window intact.
 */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; afterMs: number }> {
  const started = Date.now();
  let done = false;
  const settled = promise.then(
    (value) => ({ value, afterMs: Date.now() - started }),
    (error: unknown) => ({ error, afterMs: Date.now() - started }),
  );
  void settled.then(() => (done = true));
  for (let i = 0; i < 10_000 && !done; i++) await jest.advanceTimersByTimeAsync(1);
  return settled;
}

async function resolution<T>(promise: Promise<T>): Promise<T> {
  const { value, error } = await settle(promise);
  if (error !== undefined) throw error;
  return value as T;
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const { error } = await settle(promise);
  if (error instanceof DomainError) return error;
  throw new Error(`expected a DomainError, got ${String(error)}`);
}

// Time is simulated: the deadline, backoff and breaker reset are asserted to the millisecond.
beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00.000Z') });
});

afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()));
  jest.useRealTimers();
});

describe('BusChannel', () => {
  it('hands the pattern and payload to the transport and returns the reply', async () => {
    const { channel: c, proxy } = channel(() => ({ reply: { id: 'u1' } }));
    expect(await resolution(c.send('users.get', { id: 'u1' }))).toEqual({ id: 'u1' });
    expect(proxy.calls).toEqual([expect.objectContaining({ pattern: 'users.get', data: { id: 'u1' } })]);
  });

  it('resolves to undefined when the target answers with no value', async () => {
    const { channel: c } = channel(() => ({ reply: undefined }));
    const { value, error } = await settle(c.send('users.touch', {}));
    expect(error).toBeUndefined();
    expect(value).toBeUndefined();
    expect(c.circuitOpen).toBe(false);
  });

  it('turns a missed deadline into BUS.TIMEOUT (504)', async () => {
    const { channel: c } = channel(() => hang);
    const { error, afterMs } = await settle(c.send('users.get', { id: 'u1' }, { idempotent: true }));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'BUS.TIMEOUT', status: 504, message: 'The users module did not answer within 150 ms' });
    expect(afterMs).toBe(150);
  });

  it('turns a refused connection into BUS.UNAVAILABLE (503)', async () => {
    const { channel: c } = channel(() => refuse, { remote: false });
    const err = await rejection(c.send('users.get', { id: 'u1' }, { idempotent: true }));
    expect(err).toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503, details: { retryAfterSeconds: 1 } });
  });

  it('rebuilds the remote error body as a DomainError with its code, status and details', async () => {
    const body = {
      code: 'COMMON.VALIDATION_FAILED',
      status: 400,
      message: 'The request is not valid',
      details: [{ field: 'id', messages: ['x'] }],
    };
    const { channel: c } = channel(() => ({ error: body }));
    const err = await rejection(c.send('users.get', { id: 'x' }));
    expect(err.toBody()).toEqual(body);
  });

  it('turns "no handler" into BUS.UNKNOWN_PATTERN (502)', async () => {
    const { channel: c } = channel(() => ({ error: NO_MESSAGE_HANDLER }));
    const err = await rejection(c.send('users.nope', {}));
    expect(err).toMatchObject({ code: 'BUS.UNKNOWN_PATTERN', status: 502 });
  });

  describe('retries', () => {
    it('retries an idempotent send while the target is unreachable, backing off exponentially', async () => {
      const { channel: c, proxy } = channel((n) => (n < 2 ? refuse : { reply: 'ok' }), { settings: { deadlineMs: 1000 } });
      const started = Date.now();
      expect(await resolution(c.send('users.get', {}, { idempotent: true }))).toBe('ok');
      expect(proxy.calls.map((call) => call.at - started)).toEqual([0, 20, 60]);
    });

    it('gives up after BUS_RETRIES retries', async () => {
      const { channel: c, proxy } = channel(() => refuse, { settings: { deadlineMs: 1000, breakerVolumeThreshold: 100 } });
      const err = await rejection(c.send('users.get', {}, { idempotent: true }));
      expect(err.code).toBe('BUS.UNAVAILABLE');
      expect(proxy.calls).toHaveLength(3);
    });

    it('never waits past the deadline to retry', async () => {
      const { channel: c, proxy } = channel(() => refuse, {
        settings: { deadlineMs: 150, retries: 10, retryBackoffMs: 40, breakerVolumeThreshold: 100 },
      });
      const started = Date.now();
      const err = await rejection(c.send('users.get', {}, { idempotent: true }));
      expect(err.code).toBe('BUS.UNAVAILABLE');
      // The next attempt would start at 280 ms, after the deadline: the channel gives up at 120 ms instead.
      expect(proxy.calls.map((call) => call.at - started)).toEqual([0, 40, 120]);
    });

    it('gives a retry only what is left of the deadline', async () => {
      const { channel: c, proxy } = channel((n) => (n === 0 ? refuse : hang));
      const started = Date.now();
      const { error, afterMs } = await settle(c.send('users.get', {}, { idempotent: true }));
      expect(error).toMatchObject({ code: 'BUS.TIMEOUT' });
      expect(afterMs).toBe(150);
      expect(proxy.calls.map((call) => call.at - started)).toEqual([0, 20]);
    });

    it.each([
      ['a non-idempotent send', refuse, {}, 'BUS.UNAVAILABLE'],
      ['a send that timed out', hang, { idempotent: true }, 'BUS.TIMEOUT'],
      ['a domain answer', { error: notFound }, { idempotent: true }, 'USERS.NOT_FOUND'],
    ])('never retries %s', async (_case, step, options, code) => {
      const { channel: c, proxy } = channel(() => step as Step);
      expect((await rejection(c.send('users.x', {}, options))).code).toBe(code);
      expect(proxy.calls).toHaveLength(1);
    });

    it('never retries in-process: an unregistered local server does not appear by waiting', async () => {
      const { channel: c, proxy } = channel(() => refuse, { remote: false });
      expect((await rejection(c.send('users.get', {}, { idempotent: true }))).code).toBe('BUS.UNAVAILABLE');
      expect(proxy.calls).toHaveLength(1);
    });
  });

  describe('circuit breaker', () => {
    it('opens after failures, then fails fast without touching the transport', async () => {
      const { channel: c, proxy } = channel(() => refuse);
      for (let i = 0; i < 3; i++) expect((await rejection(c.send('users.update', {}))).code).toBe('BUS.UNAVAILABLE');
      expect(c.circuitOpen).toBe(true);

      const started = Date.now();
      const err = await c.send('users.get', {}, { idempotent: true }).catch((e: DomainError) => e);
      expect(err).toMatchObject({ code: 'BUS.UNAVAILABLE', status: 503, details: { retryAfterSeconds: 3 } });
      expect(Date.now() - started).toBe(0);
      expect(proxy.calls).toHaveLength(3);
    });

    it('counts errors the target answers with (5xx) as failures', async () => {
      const { channel: c } = channel(() => ({ error: internal }));
      for (let i = 0; i < 3; i++) expect((await rejection(c.send('users.get', {}))).code).toBe('COMMON.INTERNAL');
      expect(c.circuitOpen).toBe(true);
    });

    it('is not tripped by domain answers (4xx)', async () => {
      const { channel: c, proxy } = channel((n) => (n < 10 ? { error: notFound } : { reply: 'ok' }));
      for (let i = 0; i < 10; i++) {
        expect(await rejection(c.send('users.get', {}))).toMatchObject({ code: 'USERS.NOT_FOUND', status: 404 });
      }
      expect(c.circuitOpen).toBe(false);
      expect(await resolution(c.send('users.get', {}))).toBe('ok');
      expect(proxy.calls).toHaveLength(11);
    });

    it('closes again when a call succeeds after the reset time', async () => {
      const { channel: c } = channel((n) => (n < 3 ? refuse : { reply: 'back' }), { settings: { breakerResetMs: 100 } });
      for (let i = 0; i < 3; i++) await rejection(c.send('users.update', {}));
      expect(c.circuitOpen).toBe(true);
      const whileOpen = await c.send('users.get', {}).catch((e: DomainError) => e);
      expect(whileOpen).toMatchObject({ code: 'BUS.UNAVAILABLE', details: { retryAfterSeconds: 1 } });
      await jest.advanceTimersByTimeAsync(100);
      expect(await resolution(c.send('users.get', {}))).toBe('back');
      expect(c.circuitOpen).toBe(false);
    });

    it('does not exist for an in-process channel', async () => {
      const { channel: c, proxy } = channel(() => refuse, { remote: false });
      for (let i = 0; i < 6; i++) await rejection(c.send('users.get', {}));
      expect(c.circuitOpen).toBe(false);
      expect(proxy.calls).toHaveLength(6);
    });
  });

  describe('emit', () => {
    it('resolves once the transport has taken the event', async () => {
      const { channel: c, proxy } = channel(() => ({ reply: undefined }));
      await resolution(c.emit('users.user-deleted', { id: 'u1' }));
      expect(proxy.events).toEqual([expect.objectContaining({ pattern: 'users.user-deleted', data: { id: 'u1' } })]);
    });

    it('fails with BUS.UNAVAILABLE when the target is unreachable', async () => {
      const { channel: c } = channel(() => refuse);
      expect((await rejection(c.emit('users.user-deleted', { id: 'u1' }))).code).toBe('BUS.UNAVAILABLE');
    });
  });
});
