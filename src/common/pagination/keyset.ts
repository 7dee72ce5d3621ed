import { DomainError, ErrorDefinition } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DEFAULT_PAGE_SIZE, PageRequest } from './page.request.js';

/** A row read for a keyset page: its table's columns and `seq` (a bigint: text or bigint from the driver). */
export type Keyed<R> = R & { seq: string | number | bigint };

/**
 * One page in `seq` order after the request's cursor. `read(after, take)` runs the module's own
 * statement: at most `take` rows with `seq > after`, in `seq` order. `invalidCursor` is the module's
 * own error for a cursor it did not issue.
 */
export async function keysetPage<R>(
  { limit = DEFAULT_PAGE_SIZE, cursor }: PageRequest,
  invalidCursor: ErrorDefinition,
  read: (after: number, take: number) => Promise<Array<Keyed<R>>>,
): Promise<{ rows: Array<Keyed<R>>; nextCursor: string | null }> {
  const after = cursor === undefined ? 0 : decodeCursor(cursor);
  if (after === null) throw new DomainError(invalidCursor, 'The cursor is not valid');
  const rows = await read(after, limit + 1);
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? encodeCursor(Number(page[page.length - 1].seq)) : null };
}
