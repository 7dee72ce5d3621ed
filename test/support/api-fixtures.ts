import request from 'supertest';
import { admin, bearer, freshEmail, recordingApi, register, TEST_PASSWORD } from './auth-fixtures.js';

/** An email no other test of the run uses. */
export function uniqueEmail(prefix = 'user'): string {
  return freshEmail(prefix);
}

export interface CreatedUser {
  id: string;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
}

/** Each created user's access token, by user id; see `authFor`. */
const tokens = new Map<string, string>();

/** The `Authorization` value that acts as a user made by `createUser` (or registered by `rememberToken`). */
export function authFor(user: { id: string } | string): string {
  const token = tokens.get(typeof user === 'string' ? user : user.id);
  if (!token) throw new Error(`No access token is known for user ${typeof user === 'string' ? user : user.id}`);
  return bearer(token);
}

export function rememberToken(userId: string, accessToken: string): void {
  tokens.set(userId, accessToken);
}

/**
 * Creates a user the only way there is, by registering an account, and fails loudly if that does not
 * work. Returns the profile as GET /v1/users/me shows it; `authFor(user)` acts as that user.
 */
export async function createUser(
  baseUrl: string,
  overrides: Partial<{ name: string; email: string; password: string }> = {},
): Promise<CreatedUser> {
  const session = await register(baseUrl, { name: 'Ada Lovelace', email: uniqueEmail(), password: TEST_PASSWORD, ...overrides });
  rememberToken(session.userId, session.accessToken);
  const me = await recordingApi(baseUrl).get('/v1/users/me').set('authorization', bearer(session.accessToken));
  if (me.status !== 200) throw new Error(`Reading the new profile answered ${me.status}: ${JSON.stringify(me.body)}`);
  return me.body as CreatedUser;
}

/** The admin (ADMIN_EMAIL) of the current test database, as a profile; `authFor(admin)` acts as the admin. */
export async function createAdmin(baseUrl: string): Promise<CreatedUser> {
  const session = await admin(baseUrl);
  rememberToken(session.userId, session.accessToken);
  const me = await recordingApi(baseUrl).get('/v1/users/me').set('authorization', bearer(session.accessToken));
  if (me.status !== 200) throw new Error(`Reading the admin profile answered ${me.status}: ${JSON.stringify(me.body)}`);
  return me.body as CreatedUser;
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

/** Places an order as the user `userId` (made by createUser) and fails loudly if that does not work. */
export async function placeOrder(
  baseUrl: string,
  userId: string,
  items: OrderLine[] = SAMPLE_LINES,
): Promise<{ id: string } & Record<string, unknown>> {
  const res = await request(baseUrl).post('/v1/orders').set('authorization', authFor(userId)).send({ items });
  if (res.status !== 201) throw new Error(`Placing an order answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Follows `nextCursor` from the first page to the last as `authorization`, returning every page. */
export async function collectPages<T>(
  baseUrl: string,
  path: string,
  query: Record<string, string | number>,
  authorization: string,
): Promise<Array<{ items: T[]; nextCursor: string | null }>> {
  const pages: Array<{ items: T[]; nextCursor: string | null }> = [];
  let cursor: string | null | undefined;
  do {
    const res = await request(baseUrl)
      .get(path)
      .set('authorization', authorization)
      .query({ ...query, ...(cursor ? { cursor } : {}) });
    if (res.status !== 200) throw new Error(`Listing ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    pages.push(res.body);
    cursor = res.body.nextCursor;
    if (pages.length > 1000) throw new Error(`Listing ${path} never reached a last page`);
  } while (cursor);
  return pages;
}
