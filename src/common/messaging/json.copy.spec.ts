import { copyAsJson } from './json.copy.js';

/** What the value becomes through the socket: the reference copyAsJson must equal. */
const throughText = (value: unknown, key = 'data'): unknown => {
  const text = JSON.stringify({ [key]: value });
  return (JSON.parse(text) as Record<string, unknown>)[key];
};

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}

  get sum(): number {
    return this.x + this.y;
  }
}

const keyed = { toJSON: (key: string) => `called with ${key}` };

const cases: Array<[string, unknown]> = [
  ['a string', 'héllo 😀 \u0000 \ud800'],
  ['numbers', [0, -0, 1.5, -1e308, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity]],
  ['a date and an invalid date', { at: new Date('2026-01-02T03:04:05.678Z'), never: new Date(Number.NaN) }],
  ['a class instance (getters on the prototype are not own)', new Point(1, 2)],
  ['a map, a set, a regexp and an error', { map: new Map([['a', 1]]), set: new Set([1]), re: /x/g, err: new Error('x') }],
  [
    'undefined, functions and symbols in objects and arrays',
    { u: undefined, f: () => 1, s: Symbol('s'), list: [undefined, () => 1, Symbol('t')] },
  ],
  ['boxed primitives', [Object(1), Object('s'), Object(false)]],
  ['a buffer and a typed array', { buffer: Buffer.from('hi'), bytes: new Uint8Array([1, 2]) }],
  ['toJSON given its key', { inObject: keyed, inArray: [keyed] }],
  ['a __proto__ key, kept as an own property', JSON.parse('{"__proto__":{"x":1},"a":1}')],
  ['integer-like keys, in JSON order', { b: 1, 2: 'two', a: 2, 1: 'one' }],
  [
    'symbol keys and non-enumerable properties',
    Object.defineProperties({ [Symbol('k')]: 1, shown: 1 }, { hidden: { value: 1, enumerable: false } }),
  ],
  ['nested arrays with holes', [[1, [2, undefined]], new Array(3)]],
  ['null and booleans', { n: null, t: true, f: false }],
  [
    'the same object twice (not a cycle)',
    (() => {
      const shared = { v: 1 };
      return { a: shared, b: [shared] };
    })(),
  ],
];

describe('copyAsJson', () => {
  it.each(cases)('copies %s exactly as JSON text would', (_name, value) => {
    const copied = copyAsJson(value, 'data');
    expect(copied).toStrictEqual(throughText(value));
    expect(JSON.stringify(copied)).toBe(JSON.stringify(throughText(value)));
  });

  it('keeps a __proto__ key as data, never as the prototype', () => {
    const copied = copyAsJson(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(['__proto__']);
    expect((copied as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('leaves out a top-level value JSON cannot carry, as the packet field would be', () => {
    expect(copyAsJson(undefined)).toBeUndefined();
    expect(copyAsJson(() => 1)).toBeUndefined();
    expect(throughText(undefined)).toBeUndefined();
  });

  it('refuses a BigInt and a cycle with the TypeError JSON.stringify throws', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => copyAsJson({ n: 1n })).toThrow(TypeError);
    expect(() => JSON.stringify({ n: 1n })).toThrow(TypeError);
    expect(() => copyAsJson(cyclic)).toThrow(TypeError);
    expect(() => JSON.stringify(cyclic)).toThrow(TypeError);
  });

  it('matches JSON on generated values', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const leaves = [0, -0, 1.25, NaN, Infinity, '', 'x\u0000y', '\udc00', true, false, null, undefined, new Date(0), 7n];
    const generate = (depth: number): unknown => {
      const pick = random();
      if (depth > 3 || pick < 0.4) {
        const leaf = leaves[Math.floor(random() * leaves.length)];
        return typeof leaf === 'bigint' ? 'no bigint here' : leaf;
      }
      if (pick < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [random() < 0.2 ? String(i) : `k${i}`, generate(depth + 1)]),
      );
    };
    for (let i = 0; i < 500; i++) {
      const value = generate(0);
      expect(copyAsJson(value, 'data')).toStrictEqual(throughText(value));
    }
  });
});
