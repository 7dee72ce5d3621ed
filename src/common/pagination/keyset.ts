import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainError, ErrorDefinition } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DEFAULT_PAGE_SIZE, PageRequest } from './page.request.js';

/**
 * One page of `query` in `seq` order after the request's cursor. `invalidCursor` is the module's own
 * error for a cursor it did not issue.
 */
export async function keysetPage<E extends ObjectLiteral & { seq: number }>(
  query: SelectQueryBuilder<E>,
  { limit = DEFAULT_PAGE_SIZE, cursor }: PageRequest,
  invalidCursor: ErrorDefinition,
): Promise<{ rows: E[]; nextCursor: string | null }> {
  const after = cursor === undefined ? 0 : decodeCursor(cursor);
  if (after === null) throw new DomainError(invalidCursor, 'The cursor is not valid');
  const alias = query.alias;
  const rows = await query.andWhere(`${alias}.seq > :after`, { after }).orderBy(`${alias}.seq`, 'ASC').limit(limit + 1).getMany();
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null };
}
