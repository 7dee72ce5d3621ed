import { inputProblemError, inspectInput, INPUT_LIMITS } from './input.limits.js';

const limits = { maxDepth: 3, maxStringLength: 5, maxArrayLength: 2, maxKeys: 2 } as const;

describe('input limits', () => {
  it('accepts a value within every limit', () => {
    expect(inspectInput({ a: [1, 'abcde'], b: { c: null } }, limits)).toBeUndefined();
    expect(inspectInput({ text: 'héllo 😀 مرحبا' }, INPUT_LIMITS)).toBeUndefined();
  });

  it('refuses nesting past the limit as a structural problem, answered MALFORMED_REQUEST', () => {
    const problem = inspectInput({ a: { b: { c: {} } } }, limits);
    expect(problem).toEqual({ kind: 'structure', message: 'The input nests deeper than 3 levels' });
    expect(inputProblemError(problem!)).toMatchObject({ code: 'COMMON.MALFORMED_REQUEST', status: 400 });
  });

  it('walks a million levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(inspectInput(deep)).toEqual({ kind: 'structure', message: 'The input nests deeper than 32 levels' });
  });

  it.each([
    [{ a: 'abcdef' }, 'a', 'a must be at most 5 characters long'],
    [{ a: [1, 2, 3] }, 'a', 'a must contain at most 2 items'],
    [{ a: { x: 1, y: 2, z: 3 } }, 'a', 'a must have at most 2 fields'],
    [{ a: ['x\u0000'] }, 'a.0', 'a.0 must not contain NUL characters'],
    [{ a: '\udc00x' }, 'a', 'a must be valid Unicode text'],
    [{ 'k\u0000': 1 }, 'k\u0000', 'k\u0000 has a name that must not contain NUL characters'],
  ])('refuses %p naming the field, answered VALIDATION_FAILED', (value, field, message) => {
    const problem = inspectInput(value, limits);
    expect(problem).toEqual({ kind: 'fields', violations: [{ field, messages: [message] }] });
    expect(inputProblemError(problem!)).toMatchObject({
      code: 'COMMON.VALIDATION_FAILED',
      status: 400,
      details: [{ field, messages: [message] }],
    });
  });

  it('says the same of a value checked twice', () => {
    const value = { name: 'x', list: [{ a: 'b' }] };
    expect(inspectInput(value)).toBeUndefined();
    expect(inspectInput(value)).toBeUndefined();
  });

  it.each([
    ['prototype', '1'],
    ['toString', '1'],
    ['valueOf', '"x"'],
    ['hasOwnProperty', 'true'],
    ['isPrototypeOf', '1'],
    ['propertyIsEnumerable', '1'],
    ['toLocaleString', '1'],
    ['__defineGetter__', '1'],
    ['__defineSetter__', '1'],
    ['__lookupGetter__', '1'],
    ['__lookupSetter__', '1'],
    ['constructor', '1'],
    ['constructor', '"x"'],
    ['constructor', 'null'],
    ['constructor', '{"prototype":{}}'],
    ['__proto__', '{"x":1}'],
    ['__proto__', '1'],
  ])('refuses the key %s (value %s) as an unknown field, at the top and nested, answered VALIDATION_FAILED', (key, value) => {
    for (const [text, field] of [
      [`{"a":1,"${key}":${value}}`, key],
      [`{"a":[{"b":1},{"${key}":${value}}]}`, `a.1.${key}`],
    ]) {
      const problem = inspectInput(JSON.parse(text));
      const violations = [{ field, messages: [`property ${key} should not exist`] }];
      expect(problem).toEqual({ kind: 'fields', violations });
      expect(inputProblemError(problem!)).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', status: 400, details: violations });
    }
  });

  it('reports a reserved key beside the other field problems', () => {
    expect(inspectInput({ a: 'x\u0000', toString: 1 })).toEqual({
      kind: 'fields',
      violations: [
        { field: 'a', messages: ['a must not contain NUL characters'] },
        { field: 'toString', messages: ['property toString should not exist'] },
      ],
    });
  });
});
