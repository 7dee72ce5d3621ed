import { ConfigError } from '../config/settings.readers.js';
import { estimatedEntropyBits, readTokenSettings } from './token.settings.js';

const GOOD = 'k2J9vQx7Lw3Zp8Rt6Yn4Bm1Hs5Df0Gc2Va9Xe7Uq3Wi';

function configError(env: Record<string, string>): string | undefined {
  try {
    readTokenSettings(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('readTokenSettings', () => {
  it.each([
    ['missing', {}],
    ['empty', { JWT_SECRET: '  ' }],
    ['short', { JWT_SECRET: 'x'.repeat(31) }],
    ['a placeholder', { JWT_SECRET: 'change-me-change-me-change-me-change-me' }],
    ['a well-known default', { JWT_SECRET: 'secret' }],
    ['a low-entropy', { JWT_SECRET: 'a'.repeat(40) }],
    ['a patterned', { JWT_SECRET: 'abcd'.repeat(12) }],
  ])('refuses a %s JWT_SECRET in production, naming the variable', (_, env) => {
    expect(configError({ NODE_ENV: 'production', ...env })).toMatch(/^Invalid configuration: JWT_SECRET /);
  });

  it('estimates entropy from character frequencies', () => {
    expect(estimatedEntropyBits('a'.repeat(40))).toBe(0);
    expect(estimatedEntropyBits('abcd'.repeat(12))).toBe(96);
    expect(estimatedEntropyBits(GOOD)).toBeGreaterThan(128);
  });

  it('accepts a long random secret in production', () => {
    expect(readTokenSettings({ NODE_ENV: 'production', JWT_SECRET: GOOD }).secret).toBe(GOOD);
  });

  it('generates one secret per process outside production', () => {
    const first = readTokenSettings({}).secret;
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(readTokenSettings({ NODE_ENV: 'development' }).secret).toBe(first);
  });

  it('reads issuer and audience, and keeps the secret as a secret key object', () => {
    const s = readTokenSettings({ JWT_SECRET: GOOD, JWT_ISSUER: 'iss-1', JWT_AUDIENCE: 'aud-1' });
    expect(s).toMatchObject({ issuer: 'iss-1', audience: 'aud-1' });
    expect(s.key.type).toBe('secret');
    expect(s.key.export().toString('utf8')).toBe(GOOD);
  });

  it('names the variable of a bad value', () => {
    expect(configError({ JWT_SECRET: GOOD, JWT_ISSUER: 'has space' })).toMatch(/JWT_ISSUER/);
  });
});
