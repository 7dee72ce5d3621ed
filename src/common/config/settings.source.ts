import { registerAs } from '@nestjs/config';

/** An environment as the settings readers see it: names to raw text. */
export type Env = Readonly<Record<string, string | undefined>>;

type Reader<T> = (env: Env) => T;

interface Source {
  readonly env: Env;
  /** Each reader's result, so the value validated at boot is the object every consumer is given later. */
  readonly values: Map<Reader<object>, object>;
}

let source: Source | undefined;

const sourceOf = (env: Env): Source => ({ env: Object.freeze({ ...env }), values: new Map() });

/**
 * The environment every setting is read from: the process's, copied and frozen the first time anything
 * asks for it. This is the one place the application reads `process.env` (npm run lint checks it), so a
 * setting cannot change between the boot check and its use, nor be read past the check.
 */
export function environment(): Env {
  return (source ??= sourceOf(process.env)).env;
}

/**
 * Settings are read from `env` from now on instead of the process environment: for a harness that runs
 * the application inside its own process (the transport-parity suite).
 */
export function useEnvironment(env: Env): void {
  source = sourceOf(env);
}

/** The settings `read` finds in `environment()`, read (and so validated) once and frozen. */
export function readSettings<T extends object>(read: Reader<T>): Readonly<T> {
  environment();
  const values = source!.values;
  if (!values.has(read)) values.set(read, Object.freeze(read(source!.env)));
  return values.get(read) as Readonly<T>;
}

/** One concern's settings as a Nest config namespace, injected with `@Inject(<namespace>.KEY)` where used. */
export function registerSettings<T extends object>(key: string, read: Reader<T>) {
  return registerAs(key, () => readSettings(read));
}
