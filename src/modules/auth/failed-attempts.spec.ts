import { jest } from '@jest/globals';
import { FailedAttempts } from './failed-attempts.js';

const settings = { failedAttempts: 3, failedAttemptsWindowMs: 60_000 } as never;

function refusal(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('FailedAttempts', () => {
  afterEach(() => jest.useRealTimers());

  it('pauses an account after the allowed failures, with the seconds left, and only that account', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const attempts = new FailedAttempts(settings);
    for (let i = 0; i < 3; i++) {
      expect(refusal(() => attempts.assertAllowed('login:ada@example.com'))).toBeUndefined();
      attempts.failed('login:ada@example.com');
    }
    jest.setSystemTime(1_000_000 + 20_000);
    expect(refusal(() => attempts.assertAllowed('login:ada@example.com'))).toMatchObject({
      code: 'COMMON.TOO_MANY_REQUESTS', status: 429, details: { retryAfterSeconds: 40 },
    });
    expect(refusal(() => attempts.assertAllowed('login:bob@example.com'))).toBeUndefined();
    // The window ends: attempts are allowed again.
    jest.setSystemTime(1_000_000 + 60_001);
    expect(refusal(() => attempts.assertAllowed('login:ada@example.com'))).toBeUndefined();
  });

  it('clears the count on a success', () => {
    const attempts = new FailedAttempts(settings);
    attempts.failed('k');
    attempts.failed('k');
    attempts.succeeded('k');
    attempts.failed('k');
    attempts.failed('k');
    expect(refusal(() => attempts.assertAllowed('k'))).toBeUndefined();
    attempts.failed('k');
    expect(refusal(() => attempts.assertAllowed('k'))).toMatchObject({ code: 'COMMON.TOO_MANY_REQUESTS' });
  });
});
