import { registerAs } from '@nestjs/config';

/** The process environment as the settings readers see it: names to raw text. */
export type Env = Record<string, string | undefined>;

/**
 * A module's own settings as a Nest config namespace. The reader takes the environment as an argument,
 * so boot validation and tests pass their own; only here is it read from the process.
 */
export function registerSettings<T extends object>(key: string, read: (env: Env) => T) {
  return registerAs(key, () => read(process.env));
}
