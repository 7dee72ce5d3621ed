import { loadSettings } from './app.settings.js';
import { httpConfig } from './common/config/settings.js';
import { environment, useEnvironment, type Env } from './common/config/settings.source.js';
import { configError } from '../test/support/config-error.js';

/** Loads the settings of `env` as main loads the process's; no module is defined here. */
function load(env: Env) {
  useEnvironment(env);
  return loadSettings([]);
}

describe('loadSettings', () => {
  it.each([
    ['PORT', '65536'],
    ['PORT', '80x'],
    ['BODY_LIMIT_BYTES', '1023'],
    ['BUS_DEADLINE_MS', '9'],
    ['BUS_DEADLINE_MS', '1.5'],
    ['BUS_RETRIES', '-1'],
    ['BUS_RETRY_BACKOFF_MS', '0'],
    ['BUS_BREAKER_ERROR_PERCENT', '101'],
    ['BUS_BREAKER_RESET_MS', '99'],
    ['BUS_BREAKER_MIN_REQUESTS', '0'],
    ['MIGRATIONS_RUN', 'sometimes'],
    ['DATABASE_POOL_SIZE', '201'],
    ['DATA_DIR', 'data\0dir'],
  ])('refuses %s=%j at load, naming the variable', (variable, value) => {
    const err = configError(() => load({ [variable]: value }));
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('loads a valid environment once, frozen, and gives the namespaces the same objects', () => {
    const settings = load({ PORT: '8080', BUS_DEADLINE_MS: '1000', DATA_DIR: '/var/lib/app' });
    expect(settings.http.port).toBe(8080);
    expect(settings.bus.deadlineMs).toBe(1000);
    expect(settings.topology.hosted).toEqual([]);
    expect(Object.isFrozen(settings) && Object.isFrozen(settings.http)).toBe(true);
    expect(httpConfig()).toBe(settings.http);
  });

  it('reads a snapshot: a later change to the environment it was taken from changes nothing', () => {
    const source: Record<string, string> = { PORT: '8080' };
    useEnvironment(source);
    source.PORT = '9090';
    expect(environment().PORT).toBe('8080');
    expect(loadSettings([]).http.port).toBe(8080);
    expect(() => {
      (environment() as Record<string, string>).PORT = '1';
    }).toThrow(TypeError);
  });
});
