import type { ContractSnapshot, FieldSchema } from './contract-snapshot.js';
import type { Access, Idempotence } from './operation.js';

/**
 * Which way a schema's values travel, relative to a deployed consumer: a request the consumer sends
 * (the core must go on accepting it), or a reply or event payload the consumer reads (it must go on
 * understanding it).
 */
type Direction = 'request' | 'reply';

/** The looser an access, the more callers it admits: narrowing it locks deployed callers out. */
const ACCESS_ORDER: readonly Access[] = ['admin', 'user', 'caller', 'anyone'];

const show = (value: unknown) => JSON.stringify(value);
const at = (path: string) => path || '(the message itself)';

/** Integer values are numbers: a reader of numbers accepts integers, a sender of integers is accepted as a number. */
function typeAccepts(wider: string | undefined, narrower: string | undefined): boolean {
  return wider === narrower || wider === undefined || (wider === 'number' && narrower === 'integer');
}

/**
 * The changes between two schemas of one message that break a deployed consumer. In a request: a field
 * removed (its senders are refused: unknown fields are), a field newly required, a type, format or
 * pattern changed, an enum value dropped, a bound tightened, null no longer accepted. In a reply or
 * event: a field removed or no longer always present, a type or format changed, null or a new enum
 * value now possible. Anything else (a new optional request field, a new reply field, a looser bound)
 * passes.
 */
export function schemaBreaks(before: FieldSchema, after: FieldSchema, direction: Direction, path = ''): string[] {
  const found: string[] = [];
  const field = at(path);
  const [from, to] = direction === 'request' ? [after, before] : [before, after];
  if (before.type !== after.type && !typeAccepts(from.type, to.type)) {
    found.push(`${field}: type changed from ${before.type ?? 'any'} to ${after.type ?? 'any'}`);
  }
  if (before.format !== after.format && (direction === 'request' ? after.format !== undefined : before.format !== undefined)) {
    found.push(`${field}: format changed from ${before.format ?? 'none'} to ${after.format ?? 'none'}`);
  }
  if (before.pattern !== after.pattern && direction === 'request' && after.pattern !== undefined) {
    found.push(`${field}: pattern changed from ${before.pattern ?? 'none'} to ${after.pattern}`);
  }
  if (after.enum || before.enum) {
    const lost = (before.enum ?? []).filter((v) => !(after.enum ?? []).includes(v));
    const gained = (after.enum ?? []).filter((v) => !(before.enum ?? []).includes(v));
    if (direction === 'request' && after.enum && (lost.length || !before.enum))
      found.push(`${field}: enum narrowed, ${show(lost.length ? lost : 'any value')} no longer accepted`);
    if (direction === 'reply' && before.enum && (gained.length || !after.enum))
      found.push(`${field}: enum widened, a consumer may now read ${show(gained.length ? gained : 'any value')}`);
  }
  if (direction === 'request' && before.nullable && !after.nullable) found.push(`${field}: null no longer accepted`);
  if (direction === 'reply' && !before.nullable && after.nullable) found.push(`${field}: may now be null`);
  if (direction === 'request') {
    for (const key of ['maximum', 'maxLength', 'maxItems'] as const) {
      if (after[key] !== undefined && (before[key] === undefined || after[key]! < before[key]!))
        found.push(`${field}: ${key} lowered from ${before[key] ?? 'none'} to ${after[key]}`);
    }
    for (const key of ['minimum', 'minLength', 'minItems'] as const) {
      if (after[key] !== undefined && (before[key] === undefined || after[key]! > before[key]!))
        found.push(`${field}: ${key} raised from ${before[key] ?? 'none'} to ${after[key]}`);
    }
  }
  if (before.items && after.items) found.push(...schemaBreaks(before.items, after.items, direction, `${path}[]`));
  const name = (key: string) => (path ? `${path}.${key}` : key);
  const beforeProps = before.properties ?? {};
  const afterProps = after.properties ?? {};
  for (const [key, schema] of Object.entries(beforeProps)) {
    if (!(key in afterProps)) found.push(`${name(key)}: field removed (or renamed)`);
    else found.push(...schemaBreaks(schema, afterProps[key], direction, name(key)));
  }
  const wasRequired = new Set(before.required ?? []);
  for (const key of after.required ?? []) {
    if (direction === 'request' && !wasRequired.has(key))
      found.push(`${name(key)}: ${key in beforeProps ? 'now required' : 'new required field'}`);
  }
  if (direction === 'reply') {
    const isRequired = new Set(after.required ?? []);
    for (const key of wasRequired) if (key in afterProps && !isRequired.has(key)) found.push(`${name(key)}: no longer always present`);
  }
  return found;
}

function idempotenceBreaks(before: Idempotence, after: Idempotence): boolean {
  // A caller that retried must still be allowed to.
  if (before === true) return after !== true;
  if (typeof before === 'object') return after !== true && (typeof after !== 'object' || after.key !== before.key);
  return false;
}

/**
 * Every change from `before` (the last release's baseline) to `after` (what the code declares now)
 * that would break a consumer deployed against `before`, each naming the operation or event and the
 * field. An empty list means the change is compatible (additions only).
 */
export function breakingChanges(before: ContractSnapshot, after: ContractSnapshot): string[] {
  const found: string[] = [];
  for (const [pattern, was] of Object.entries(before.operations)) {
    const now = after.operations[pattern];
    if (!now) {
      found.push(`operation ${pattern}: removed`);
      continue;
    }
    found.push(...schemaBreaks(was.request, now.request, 'request').map((b) => `operation ${pattern}: request ${b}`));
    found.push(...schemaBreaks(was.reply, now.reply, 'reply').map((b) => `operation ${pattern}: reply ${b}`));
    for (const [code, status] of Object.entries(now.errors)) {
      if (!(code in was.errors))
        found.push(`operation ${pattern}: answers a new error, ${code} (${status}), that its consumers do not handle`);
      else if (was.errors[code] !== status)
        found.push(`operation ${pattern}: error ${code} changed status from ${was.errors[code]} to ${status}`);
    }
    if (idempotenceBreaks(was.idempotent, now.idempotent))
      found.push(
        `operation ${pattern}: no longer idempotent as before (${show(was.idempotent)} -> ${show(now.idempotent)}); callers retry it`,
      );
    if (ACCESS_ORDER.indexOf(now.access) < ACCESS_ORDER.indexOf(was.access))
      found.push(`operation ${pattern}: access narrowed from ${was.access} to ${now.access}`);
  }
  for (const [name, was] of Object.entries(before.events)) {
    const now = after.events[name];
    if (!now) {
      found.push(`event ${name}: removed`);
      continue;
    }
    found.push(...schemaBreaks(was.payload, now.payload, 'reply').map((b) => `event ${name}: payload ${b}`));
    if (was.orderingKey !== now.orderingKey)
      found.push(`event ${name}: ordering key changed from ${was.orderingKey} to ${now.orderingKey}`);
  }
  return found;
}
