import { bigintAsNumber, decodeCursor, encodeCursor } from './cursor.js';

describe('pagination cursor', () => {
  it.each([1, 20, 999_999, Number.MAX_SAFE_INTEGER])('round-trips seq %d', (seq) => {
    const cursor = encodeCursor(seq);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(seq);
  });

  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it.each([
    ['empty', ''],
    ['not base64url', 'ab+/=='],
    ['garbage that decodes to text', b64('hello')],
    ['zero', b64('0')],
    ['negative', b64('-5')],
    ['leading zero', b64('012')],
    ['fraction', b64('1.5')],
    ['exponent', b64('1e3')],
    ['whitespace', b64(' 12')],
    ['beyond a safe integer', b64('9007199254740993')],
    ['too many digits', b64('12345678901234567')],
    ['too long', 'A'.repeat(33)],
    ['JSON', b64('{"seq":1}')],
  ])('refuses a cursor that is %s', (_case, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  it('reads bigint columns from either driver as numbers and keeps null', () => {
    expect(bigintAsNumber.from('42')).toBe(42);
    expect(bigintAsNumber.from(42n)).toBe(42);
    expect(bigintAsNumber.from(null)).toBeNull();
  });
});
