import { DomainError } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keysetPage } from './keyset.js';

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
});

describe('keysetPage', () => {
  const INVALID = { code: 'PROBE.INVALID_CURSOR', status: 400 };
  const rows = [
    { id: 'a', seq: '41' },
    { id: 'b', seq: 42n },
    { id: 'c', seq: 43 },
  ];

  it(
    'reads one more row than the page, and hands out the last seq of a full page as the next cursor, whatever the driver ' + 'gave',
    async () => {
      const asked: Array<[number, number]> = [];
      const read = async (after: number, take: number) => {
        asked.push([after, take]);
        return rows.filter((r) => Number(r.seq) > after).slice(0, take);
      };
      const first = await keysetPage({ limit: 2 }, INVALID, read);
      expect(first).toEqual({ rows: rows.slice(0, 2), nextCursor: encodeCursor(42) });
      const second = await keysetPage({ limit: 2, cursor: first.nextCursor! }, INVALID, read);
      expect(second).toEqual({ rows: rows.slice(2), nextCursor: null });
      expect(asked).toEqual([
        [0, 3],
        [42, 3],
      ]);
    },
  );

  it("refuses a cursor it did not issue with the module's own error, before reading", async () => {
    let reads = 0;
    const read = async () => {
      reads += 1;
      return rows;
    };
    const refused = await keysetPage({ cursor: 'not-a-cursor!' }, INVALID, read).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'PROBE.INVALID_CURSOR', status: 400 });
    expect(reads).toBe(0);
  });
});
