import { ConfigError } from '../../common/config/settings.readers.js';
import { readAuthSettings } from './auth.settings.js';

describe('readAuthSettings', () => {
  it('reads token lifetimes and the admin email, lower-cased', () => {
    expect(readAuthSettings({ ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600', ADMIN_EMAIL: ' Root@Example.com ' })).toEqual({
      accessTokenTtlSeconds: 60,
      refreshTokenTtlSeconds: 3600,
      refreshReuseGraceSeconds: 10,
      failedAttempts: 20,
      failedAttemptsWindowMs: 900_000,
      adminEmail: 'root@example.com',
    });
    expect(readAuthSettings({}).accessTokenTtlSeconds).toBe(900);
  });

  it.each([
    [{ ACCESS_TOKEN_TTL: '0' }, 'ACCESS_TOKEN_TTL'],
    [{ ADMIN_EMAIL: 'nobody' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: '"root"@example.com' }, 'ADMIN_EMAIL'],
  ])('names the variable of a bad value (%j)', (env, variable) => {
    expect(() => readAuthSettings(env)).toThrow(ConfigError);
    expect(() => readAuthSettings(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
