import { randomUUID } from 'node:crypto';
import { ODD_IDS, ODD_NUMBERS, ODD_STRINGS, WRONG_TYPES } from './odd-values.js';

type Json = Record<string, unknown>;

/** One request packet to send: a pattern, a payload as JSON text (so it can be deeper than JSON.stringify allows) and metadata. */
export interface BusCase {
  pattern: unknown;
  data: string;
  metadata: string;
  label: string;
}

/** The users core's patterns with a payload of the documented shape. */
const BASES: Array<[string, Json]> = [
  ['users.get', { id: randomUUID() }],
  ['users.list', { limit: 5, cursor: 'MTI' }],
  ['users.update', { id: randomUUID(), name: 'Grace Hopper' }],
  ['users.delete', { id: randomUUID() }],
  ['users.create', { id: randomUUID(), name: 'Grace Hopper', email: 'grace@example.com' }],
  ['users.ping', {}],
];

const UNKNOWN_PATTERNS: unknown[] = [
  'users.nope',
  'nope',
  '',
  '.',
  'users',
  'orders.get',
  'auth.login',
  'auth.verify',
  'users.get.reply',
  `users.${'x'.repeat(5000)}`,
  { cmd: 'users.get' },
  ['users.get'],
  42,
  null,
  'users.get\u0000',
  'users.\ud800',
];

const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/**
 * Packets for every pattern: the documented payload, each field changed to wrong types, odd strings,
 * odd numbers and odd ids, deep or wide payloads, whole payloads of the wrong type; under each of the
 * given metadata (no credential, a user's, forged, malformed); plus patterns nobody serves.
 */
export function busCases(metadataVariants: Record<string, Json | string>): BusCase[] {
  const cases: BusCase[] = [];
  const add = (pattern: unknown, data: string, label: string) => {
    for (const [name, metadata] of Object.entries(metadataVariants)) {
      cases.push({
        pattern,
        data,
        metadata: typeof metadata === 'string' ? metadata : JSON.stringify(metadata),
        label: `${label} [${name}]`,
      });
    }
  };
  for (const [pattern, base] of BASES) {
    add(pattern, JSON.stringify(base), `${pattern} as documented`);
    for (const field of Object.keys(base)) {
      const values = [...WRONG_TYPES, ...ODD_STRINGS, ...ODD_NUMBERS, ...ODD_IDS.map((id) => decodeURIComponentSafe(id))];
      for (const value of values)
        add(pattern, JSON.stringify({ ...base, [field]: value }), `${pattern} ${field}=${JSON.stringify(value).slice(0, 20)}`);
      add(pattern, `{"${field}":${nested(3000)}}`, `${pattern} ${field} nested 3000 levels`);
    }
    add(pattern, JSON.stringify({ ...base, extra: Array(1001).fill(1) }), `${pattern} with an array of 1001 items`);
    add(
      pattern,
      JSON.stringify({ ...base, ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i])) }),
      `${pattern} with 101 fields`,
    );
    const rest = JSON.stringify(base).slice(1);
    add(pattern, `{"__proto__":{"admin":true}${rest === '}' ? '' : ','}${rest}`, `${pattern} with a __proto__ key`);
    for (const whole of ['null', '[]', '"text"', '0', 'true', nested(40), `[${nested(3000)}]`])
      add(pattern, whole, `${pattern} payload ${whole.slice(0, 12)}`);
  }
  for (const pattern of UNKNOWN_PATTERNS) add(pattern, '{}', `unknown pattern ${JSON.stringify(pattern)?.slice(0, 30)}`);
  return cases;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Byte streams no well-behaved peer sends; each one goes on a connection of its own. */
export function framingCases(maxFrameChars: number): Array<{ label: string; bytes: string; expectCode: string }> {
  const frame = (json: string) => `${json.length}#${json}`;
  return [
    {
      label: 'a frame over the limit',
      bytes: frame(JSON.stringify({ pattern: 'users.ping', data: { x: 'x'.repeat(maxFrameChars) }, id: 'f1' })),
      expectCode: 'COMMON.PAYLOAD_TOO_LARGE',
    },
    {
      label: 'a declared length over the limit',
      bytes: `${maxFrameChars * 4}#${'y'.repeat(maxFrameChars + 10)}`,
      expectCode: 'COMMON.PAYLOAD_TOO_LARGE',
    },
    { label: 'a frame that is not JSON', bytes: frame('{"pattern":"users.ping",'), expectCode: 'COMMON.MALFORMED_REQUEST' },
    { label: 'a length that is not a number', bytes: 'abc#{}', expectCode: 'COMMON.MALFORMED_REQUEST' },
    { label: 'garbage with no length', bytes: 'GET / HTTP/1.1\r\nhost: x\r\n\r\n#', expectCode: 'COMMON.MALFORMED_REQUEST' },
    {
      label: 'a frame with a NUL byte outside strings',
      bytes: frame('{"pattern":"users.ping"\u0000}'),
      expectCode: 'COMMON.MALFORMED_REQUEST',
    },
  ];
}
