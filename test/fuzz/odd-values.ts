/** Values no honest client sends, by the kind of slot they go into. */

/** `levels` of nesting as JSON text (a few KB). */
export const deepJson = (levels: number, kind: 'object' | 'array' = 'object') =>
  kind === 'object' ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}` : `${'['.repeat(levels)}${']'.repeat(levels)}`;

export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'lone \ud800 high',
  'lone \udfff low',
  '\u202eevil.exe\u202c',
  'مرحبا بالعالم',
  '😀👍🏽👩‍👩‍👧',
  'zero\u200bwidth\u2060joined',
  'ｆｕｌｌｗｉｄｔｈ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  'e\u0301\u0301\u0301combining',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%zz%',
  '\r\nx-injected: 1',
  'x'.repeat(5_000),
  'y'.repeat(12_000),
  '\ufeffbom',
];

export const ODD_NUMBERS: readonly unknown[] = [
  -1,
  0,
  1.5,
  -0.0001,
  2 ** 31,
  2 ** 53 + 1,
  1e308,
  -1e308,
  100_000_001,
  10_001,
  '1',
  '1e3',
  true,
  null,
];

export const WRONG_TYPES: readonly unknown[] = [null, true, 0, -7, 'text', [], [1, 2], {}, { nested: { x: 1 } }];

/** Path segments for an `{id}`: malformed, encoded, long, or plausible but unknown. */
export const ODD_IDS: readonly string[] = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '7D1C8A51-2B6A-4A3E-9A8E-0C7E2F1B9D44',
  '7d1c8a51-2b6a-4a3e-9a8e-0c7e2f1b9d4',
  '%00',
  '%zz',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%2e%2e',
  '..',
  "1'%20OR%20'1'='1",
  'a'.repeat(99),
  'a'.repeat(101),
  'a'.repeat(5_000),
  '%25',
  '-1',
];

export const ODD_CURSORS: readonly string[] = [
  '',
  'MTI',
  '!!!',
  'eyJhIjoxfQ',
  '%00',
  '%zz',
  'x'.repeat(65),
  'x'.repeat(3000),
  '%F0%9F%98%80',
  'LTE',
  'OTk5OTk5OTk5OTk5OTk5OTk5OTk5',
];

export const ODD_LIMITS: readonly string[] = ['0', '-1', '101', '1.5', 'abc', '1e2', '99999999999999999999', '', '%00', '20&limit=30'];

export const CONTENT_TYPES: readonly (string | undefined)[] = [
  undefined,
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/problem+json',
  'application/jsonx',
  '*/*',
];
