import request from 'supertest';

let sequence = 0;

/** An email no other test of the run uses. */
export function uniqueEmail(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}@example.com`;
}

export interface CreatedUser {
  id: string;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
}

/** Creates a user through the API and fails loudly if that does not work. */
export async function createUser(baseUrl: string, overrides: Partial<{ name: string; email: string }> = {}): Promise<CreatedUser> {
  const res = await request(baseUrl)
    .post('/v1/users')
    .send({ name: 'Ada Lovelace', email: uniqueEmail(), ...overrides });
  if (res.status !== 201) throw new Error(`Creating a user answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as CreatedUser;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export const SAMPLE_LINES: OrderLine[] = [
  { sku: 'BOOK-0042', quantity: 3, unitPriceCents: 1999 },
  { sku: 'pen_blue.2', quantity: 2, unitPriceCents: 5 },
];

/** Places an order through the API and fails loudly if that does not work. */
export async function placeOrder(baseUrl: string, userId: string, items: OrderLine[] = SAMPLE_LINES): Promise<{ id: string } & Record<string, unknown>> {
  const res = await request(baseUrl).post('/v1/orders').send({ userId, items });
  if (res.status !== 201) throw new Error(`Placing an order answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Follows `nextCursor` from the first page to the last, returning every page. */
export async function collectPages<T>(baseUrl: string, path: string, query: Record<string, string | number>): Promise<Array<{ items: T[]; nextCursor: string | null }>> {
  const pages: Array<{ items: T[]; nextCursor: string | null }> = [];
  let cursor: string | null | undefined;
  do {
    const res = await request(baseUrl).get(path).query({ ...query, ...(cursor ? { cursor } : {}) });
    if (res.status !== 200) throw new Error(`Listing ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    pages.push(res.body);
    cursor = res.body.nextCursor;
    if (pages.length > 1000) throw new Error(`Listing ${path} never reached a last page`);
  } while (cursor);
  return pages;
}
