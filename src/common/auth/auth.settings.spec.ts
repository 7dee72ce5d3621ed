import { ConfigError } from '../config/topology.js';
import { readAuthSettings } from './auth.settings.js';

const GOOD = 'k2J9vQx7Lw3Zp8Rt6Yn4Bm1Hs5Df0Gc2Va9Xe7Uq3Wi';

function configError(env: Record<string, string>): string | undefined {
  try {
    readAuthSettings(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('readAuthSettings', () => {
  it.each([
    ['missing', {}],
    ['empty', { JWT_SECRET: '  ' }],
    ['short', { JWT_SECRET: 'x'.repeat(31) }],
    ['a placeholder', { JWT_SECRET: 'change-me-change-me-change-me-change-me' }],
    ['a well-known default', { JWT_SECRET: 'secret' }],
  ])('refuses a %s JWT_SECRET in production, naming the variable', (_, env) => {
    expect(configError({ NODE_ENV: 'production', ...env })).toMatch(/^Invalid configuration: JWT_SECRET /);
  });

  it('accepts a long random secret in production', () => {
    expect(readAuthSettings({ NODE_ENV: 'production', JWT_SECRET: GOOD }).secret).toBe(GOOD);
  });

  it('generates one secret per process outside production', () => {
    const first = readAuthSettings({}).secret;
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(readAuthSettings({ NODE_ENV: 'development' }).secret).toBe(first);
  });

  it('reads token lifetimes, issuer, audience and the admin email', () => {
    const s = readAuthSettings({
      JWT_SECRET: GOOD, ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600', JWT_ISSUER: 'iss-1', JWT_AUDIENCE: 'aud-1', ADMIN_EMAIL: ' Root@Example.com ',
    });
    expect(s).toMatchObject({ accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 3600, issuer: 'iss-1', audience: 'aud-1', adminEmail: 'root@example.com' });
    expect(readAuthSettings({ JWT_SECRET: GOOD }).accessTokenTtlSeconds).toBe(900);
  });

  it('names the variable of a bad value', () => {
    expect(configError({ JWT_SECRET: GOOD, ACCESS_TOKEN_TTL: '0' })).toMatch(/ACCESS_TOKEN_TTL/);
    expect(configError({ JWT_SECRET: GOOD, ADMIN_EMAIL: 'nobody' })).toMatch(/ADMIN_EMAIL/);
  });
});
