/** What a log line shows in place of a secret. */
export const CENSOR = '[redacted]';

/** Fields that hold a secret wherever they appear one level down in a logged object (`body.password`). */
export const SECRET_FIELDS = ['password', 'refreshToken', 'currentPassword', 'newPassword', 'passwordHash'] as const;

/**
 * Paths pino censors itself. They are rooted at a fixed key, so pino looks at them only when a line has
 * that key. `err.parameters`: a failed SQL statement carries its bound values, which may include a
 * password hash.
 */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'err.parameters'];

type Fields = Record<string, unknown>;

/**
 * A log line's fields with every secret one level down censored (what pino's `*.password` and
 * `*.err.parameters` paths would censor), as pino's `formatters.log`. Pino runs a wildcard-first path's
 * redaction on every value of every line, parsing each path again each time: about 20 KB of garbage per
 * line with these paths. This looks only at object values, and copies a line or a value only when it
 * holds a secret; the object the caller logged is never changed.
 */
export function censorSecrets(line: Fields): Fields {
  let out: Fields | undefined;
  for (const key of Object.keys(line)) {
    const value = line[key];
    if (typeof value !== 'object' || value === null) continue;
    const censored = censorFields(value as Fields);
    if (censored !== value) (out ??= { ...line })[key] = censored;
  }
  return out ?? line;
}

function censorFields(value: Fields): Fields {
  let out: Fields | undefined;
  for (const field of SECRET_FIELDS) {
    if (Object.hasOwn(value, field)) (out ??= { ...value })[field] = CENSOR;
  }
  const err = value.err;
  if (typeof err === 'object' && err !== null && Object.hasOwn(err, 'parameters')) {
    (out ??= { ...value }).err = { ...(err as Fields), parameters: CENSOR };
  }
  return out ?? value;
}
