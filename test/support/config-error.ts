import { ConfigError } from '../../src/common/config/settings.readers.js';

/** The ConfigError `read` throws; any other error is rethrown, and not throwing fails the test. */
export function configError(read: () => unknown): ConfigError {
  try {
    read();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
