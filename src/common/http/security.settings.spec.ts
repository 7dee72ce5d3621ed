import { configError } from '../../../test/support/config-error.js';
import { readSecuritySettings } from './security.settings.js';

describe('security settings', () => {
  it('keeps the rate limits on unless RATE_LIMIT_ENABLED is false', () => {
    expect(readSecuritySettings({}).rateLimitEnabled).toBe(true);
    expect(readSecuritySettings({ RATE_LIMIT_ENABLED: 'false' }).rateLimitEnabled).toBe(false);
    expect(readSecuritySettings({ RATE_LIMIT_ENABLED: ' Yes ' }).rateLimitEnabled).toBe(true);
    expect(configError(() => readSecuritySettings({ RATE_LIMIT_ENABLED: 'maybe' })).variable).toBe('RATE_LIMIT_ENABLED');
  });

  it('refuses to turn the rate limits off in production', () => {
    const refused = configError(() => readSecuritySettings({ NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' }));
    expect(refused.variable).toBe('RATE_LIMIT_ENABLED');
    expect(readSecuritySettings({ NODE_ENV: 'production' }).rateLimitEnabled).toBe(true);
  });
});
