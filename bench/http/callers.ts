import type { LoadRequest } from './load.js';

/** The callers of a benchmark run, and the requests they send. */
export interface Caller {
  id: string;
  token: string;
}

const PASSWORD = 'bench correct horse battery staple';
const ORDER = JSON.stringify({
  items: [
    { sku: 'BOOK-0042', quantity: 2, unitPriceCents: 1999 },
    { sku: 'PEN-7', quantity: 1, unitPriceCents: 250 },
  ],
});

async function json(url: string, init: RequestInit & { expect: number }): Promise<any> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== init.expect)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}, expected ${init.expect}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Registers `users` accounts through the public API, a few at a time (password hashing is deliberately slow). */
export async function register(baseUrl: string, users: number): Promise<Caller[]> {
  const callers: Caller[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < users; i += 4) {
    const batch = Array.from({ length: Math.min(4, users - i) }, (_, k) =>
      json(`${baseUrl}/v1/auth/register`, {
        method: 'POST',
        expect: 201,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Bench User ${i + k}`, email: `bench-${run}-${i + k}@example.com`, password: PASSWORD }),
      }),
    );
    for (const grant of await Promise.all(batch)) callers.push({ id: grant.account.id, token: grant.accessToken });
  }
  // Profiles are created from the registration event: every caller must have one before loading.
  for (const c of callers) {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${baseUrl}/v1/users/me`, { headers: { authorization: `Bearer ${c.token}` } });
      if (res.status === 200) break;
      if (attempt > 100) throw new Error(`the profile of ${c.id} did not appear (last status ${res.status})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return callers;
}

/** A request factory cycling through the callers, so the load is spread over every caller. */
export function cycle(callers: Caller[], build: (c: Caller) => LoadRequest): () => LoadRequest {
  let n = 0;
  return () => build(callers[n++ % callers.length]);
}

export const get =
  (path: (c: Caller) => string) =>
  (c: Caller): LoadRequest => ({
    method: 'GET',
    path: path(c),
    headers: { authorization: `Bearer ${c.token}` },
  });
export const post =
  (path: string) =>
  (c: Caller): LoadRequest => ({
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: ORDER,
  });

/** The monolith's benchmarked routes, as every system that serves its API is loaded on them. */
export const ROUTES = {
  'GET /v1/users/:id': { op: 'GET', expect: 200, build: get((c) => `/v1/users/${c.id}`) },
  'GET /v1/users/me': { op: 'GET', expect: 200, build: get(() => '/v1/users/me') },
  'POST /v1/orders': { op: 'POST', expect: 201, build: post('/v1/orders') },
} as const;
export type Route = keyof typeof ROUTES;

/** The names and JSON types of a value's fields, at every depth (one element stands for an array's). */
export function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length ? shapeOf(value[0]) : ''}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `{${fields.map(([k, v]) => `${k}:${shapeOf(v)}`).join(',')}}`;
  }
  return value === null ? 'null' : typeof value;
}
