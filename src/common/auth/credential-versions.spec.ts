import { jest } from '@jest/globals';
import type { ChannelRegistry } from '../messaging/channel.registry.js';
import { RemoteCredentialVersions } from './credential-versions.js';
import type { UserIdentity, VerifiedIdentity } from './identity.js';

const identity: UserIdentity = { kind: 'user', userId: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b', role: 'user', version: 2 };

function remote(answer: VerifiedIdentity, verifyCacheMs = 0) {
  const send = jest.fn(async () => answer);
  const channels = { channel: jest.fn(() => ({ send })) } as unknown as ChannelRegistry;
  const versions = new RemoteCredentialVersions(channels, { verifyCacheMs } as never);
  return { versions, send, channels };
}

describe('RemoteCredentialVersions', () => {
  it('asks the auth module with auth.verify and accepts the same user, role and version', async () => {
    const { versions, send, channels } = remote({ userId: identity.userId, role: 'user', version: 2 });
    await expect(versions.assertCurrent(identity)).resolves.toBeUndefined();
    expect(channels.channel).toHaveBeenCalledWith('auth');
    expect(send).toHaveBeenCalledWith('auth.verify', {}, { idempotent: true });
  });

  it.each([
    ['a newer version', { version: 3 }],
    ['another role', { role: 'admin' as const }],
    ['another user', { userId: 'ffffffff-4f6e-4a86-9a39-6a4e8f9d1c2b' }],
  ])('refuses with AUTH.UNAUTHENTICATED when the authority knows %s', async (_, change) => {
    const { versions } = remote({ userId: identity.userId, role: 'user', version: 2, ...change });
    await expect(versions.assertCurrent(identity)).rejects.toMatchObject({ code: 'AUTH.UNAUTHENTICATED', status: 401 });
  });

  it('asks every time when caching is off', async () => {
    const { versions, send } = remote({ userId: identity.userId, role: 'user', version: 2 });
    await versions.assertCurrent(identity);
    await versions.assertCurrent(identity);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('reuses a confirmation for AUTH_VERIFY_CACHE_MS, then asks again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const { versions, send } = remote({ userId: identity.userId, role: 'user', version: 2 }, 500);
      await versions.assertCurrent(identity);
      await versions.assertCurrent(identity);
      expect(send).toHaveBeenCalledTimes(1);
      jest.setSystemTime(1_000_501);
      await versions.assertCurrent(identity);
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
