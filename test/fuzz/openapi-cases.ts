import { randomUUID } from 'node:crypto';
import { CONTENT_TYPES, deepJson, ODD_CURSORS, ODD_IDS, ODD_LIMITS, ODD_NUMBERS, ODD_STRINGS, WRONG_TYPES } from './odd-values.js';

type Json = Record<string, any>;

/** Who a case acts as: nobody, a user, an admin, or someone with a forged credential. */
export type Caller = 'none' | 'user' | 'admin' | 'forged';

export interface FuzzCase {
  /** The operationId, or `raw` for requests that target no operation. */
  operation: string;
  method: string;
  /** The request target exactly as sent (already percent-encoded where it should be). */
  target: string;
  caller: Caller;
  headers: Record<string, string>;
  body?: string;
  /** What was changed, for failure messages. */
  label: string;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  secured: boolean;
  usesCookie: boolean;
  pathParams: string[];
  queryParams: Array<{ name: string; schema: Json }>;
  bodySchema?: Json;
  bodyExample?: Json;
  /** The statuses the document lists for the operation (`default` included, if it has one). */
  responses: string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'FOO'];

/** Every operation of an OpenAPI 3 document, with what a request to it is made of. */
export function operationsOf(document: Json): Operation[] {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Json | undefined): Json | undefined =>
    schema?.$ref ? resolve(schemas[String(schema.$ref).split('/').pop()!]) : schema;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json) as Array<[string, Json]>) {
      const parameters = (op.parameters ?? []).filter((p: Json) => !p.$ref);
      const media = op.requestBody?.content?.['application/json'];
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        secured: (op.security ?? []).some((s: Json) => 'bearer' in s),
        usesCookie: (op.security ?? []).some((s: Json) => 'refresh_token' in s),
        pathParams: parameters.filter((p: Json) => p.in === 'path').map((p: Json) => p.name),
        queryParams: parameters.filter((p: Json) => p.in === 'query').map((p: Json) => ({ name: p.name, schema: p.schema ?? {} })),
        bodySchema: resolve(media?.schema),
        bodyExample: media?.example,
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return operations;
}

/**
 * Requests for one operation: the documented request, then one change at a time to its body fields,
 * body as a whole, media type, path and query parameters, headers and method, each as every caller.
 */
export function casesFor(op: Operation, ownId: string, callers: readonly Caller[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const pathOf = (id?: string) =>
    op.path.replace(/\{(\w+)\}/g, () => id ?? (op.id.startsWith('users') && op.method !== 'DELETE' ? ownId : randomUUID()));
  const json = (value: unknown) => JSON.stringify(value);
  const add = (label: string, parts: Partial<FuzzCase>) => {
    for (const caller of callers) {
      const headers: Record<string, string> = {
        ...(parts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...parts.headers,
      };
      if (op.usesCookie && !headers.cookie) headers.cookie = 'refresh_token=not.a.token';
      cases.push({ operation: op.id, method: op.method, target: pathOf(), caller, label, ...parts, headers });
    }
  };

  const example = op.bodyExample ?? {};
  const body = op.bodySchema ? json(example) : undefined;
  add('as documented', { body });

  if (op.bodySchema) {
    for (const [field, schema] of Object.entries((op.bodySchema.properties ?? {}) as Json)) {
      const without = { ...example };
      delete without[field];
      add(`body without ${field}`, { body: json(without) });
      for (const value of WRONG_TYPES) add(`body ${field}=${json(value)}`, { body: json({ ...example, [field]: value }) });
      if (schema.type === 'string' || schema.type === undefined) {
        for (const value of ODD_STRINGS)
          add(`body ${field}=odd string ${json(value.slice(0, 20))}`, { body: json({ ...example, [field]: value }) });
      }
      if (schema.type === 'array') {
        const item = Array.isArray(example[field]) ? example[field][0] : {};
        add(`body ${field} with 101 items`, { body: json({ ...example, [field]: Array(101).fill(item) }) });
        add(`body ${field} with 1001 items`, { body: json({ ...example, [field]: Array(1001).fill(1) }) });
        for (const key of Object.keys(item ?? {})) {
          for (const value of [...ODD_NUMBERS, ...ODD_STRINGS.slice(0, 8)]) {
            add(`body ${field}[0].${key}=${json(value).slice(0, 20)}`, {
              body: json({ ...example, [field]: [{ ...item, [key]: value }] }),
            });
          }
        }
      }
      add(`body ${field} nested 3000 levels`, { body: `{"${field}":${deepJson(3000)}}` });
    }
    add('body with an extra field', { body: json({ ...example, role: 'admin' }) });
    add('body with a __proto__ key', { body: `{"__proto__":{"role":"admin"},${body!.slice(1)}` });
    add('body with 101 extra fields', {
      body: json({ ...example, ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i])) }),
    });
    add('body nested 3000 levels (arrays)', { body: deepJson(3000, 'array') });
    add('body nested 40 levels', { body: deepJson(40) });
    for (const whole of ['null', '[]', '"text"', '42', 'true', '', '{', '{"a":}', '\u0000', '{"a":"\\ud800"}'])
      add(`body ${whole || '(empty)'}`, { body: whole });
    add('body over the size limit', { body: json({ ...example, filler: 'x'.repeat(110 * 1024) }) });
    for (const type of CONTENT_TYPES) {
      add(`content-type ${type ?? '(none)'}`, { body, headers: type === undefined ? { 'content-type': '' } : { 'content-type': type } });
    }
  }

  for (const name of op.pathParams) {
    for (const id of ODD_IDS) add(`path ${name}=${id.slice(0, 20)}`, { target: pathOf(id), body });
  }
  for (const { name } of op.queryParams) {
    const values = name === 'limit' ? ODD_LIMITS : name === 'cursor' ? ODD_CURSORS : ODD_IDS;
    for (const value of values) add(`query ${name}=${value.slice(0, 20)}`, { target: `${pathOf()}?${name}=${value}` });
  }
  if (op.method === 'GET') {
    add('unknown query parameter', { target: `${pathOf()}?admin=true&limit=1&limit=2` });
    add('query with a NUL', { target: `${pathOf()}?x=%00` });
  }

  for (const credential of ['Bearer ', 'Bearer x', 'Basic dXNlcjpwYXNz', `Bearer ${'t'.repeat(6000)}`, 'Bearer a.b.c', 'bearer  a.b']) {
    cases.push({
      operation: op.id,
      method: op.method,
      target: pathOf(),
      caller: 'none',
      label: `authorization ${credential.slice(0, 20)}`,
      body,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), authorization: credential },
    });
  }
  if (op.usesCookie) {
    for (const cookie of ['refresh_token=', `refresh_token=${'c'.repeat(4000)}`, 'refresh_token=a.b.c; refresh_token=d.e.f', 'other=1']) {
      add(`cookie ${cookie.slice(0, 30)}`, { headers: { cookie } });
    }
  }
  add('header of 8 KB', { body, headers: { 'x-filler': 'h'.repeat(8 * 1024) } });
  add('headers over the limit', { body, headers: { 'x-filler': 'h'.repeat(20 * 1024) } });
  add('odd correlation id', { body, headers: { 'x-correlation-id': '<script>😀' } });
  // Odd header values (no CR or LF, which would split the raw request in two) on every operation, and on
  // the one header an operation reads itself.
  for (const value of ODD_STRINGS.filter((v) => !/[\r\n]/.test(v))) {
    add(`correlation id ${json(value.slice(0, 20))}`, { body, headers: { 'x-correlation-id': value } });
    if (op.id === 'ordersPlace') add(`idempotency-key ${json(value.slice(0, 20))}`, { body, headers: { 'idempotency-key': value } });
  }
  add('long correlation id', { body, headers: { 'x-correlation-id': 'c'.repeat(2000) } });
  add('odd accept', { body, headers: { accept: 'application/xml' } });
  add('odd range', { body, headers: { range: 'bytes=999999-' } });
  for (const method of METHODS.filter((m) => m !== op.method && !(m === 'HEAD' && op.method === 'GET'))) {
    // Another method on the caller's own profile could delete it, which ends the run's user.
    add(`method ${method}`, { method, target: pathOf(randomUUID()), body: method === 'GET' || method === 'HEAD' ? undefined : body });
  }
  return cases;
}

/**
 * What is wrong with the status of an answer to a case of `op`, if anything: one the operation does not
 * document. A case sent with another method targets no operation of the document (the API's description
 * covers 404 and 405 for those), so only the operation's own method is held to its responses.
 */
export function undocumentedStatus(op: Operation, c: Pick<FuzzCase, 'method'>, status: number): string | undefined {
  if (c.method !== op.method || op.responses.includes('default') || op.responses.includes(String(status))) return undefined;
  return `status ${status} is not documented (documented: ${op.responses.join(', ')})`;
}

/** Requests that target no operation: raw dot segments, broken encodings, long paths, other files. */
export function rawCases(): FuzzCase[] {
  const targets = [
    '/docs/../../etc/passwd',
    '/docs/%2e%2e/%2e%2e/package.json',
    '/docs/..%2f..%2fpackage.json',
    '/docs/./',
    '/docs/%2E%2E/',
    '/v1/../health/live',
    '/v1/users/./me',
    '/./v1/orders',
    '/%2e/v1/orders',
    '/v1/users/me/..',
    '/docs/.env',
    '/docs/%00',
    '/v1/users/%',
    '/v1/users/%zz',
    '/v1/%ff%fe',
    '/v1/users/%c0%ae%c0%ae/',
    '/%',
    '//v1//users',
    '/v1/users//me',
    `/${'p'.repeat(10_000)}`,
    `/v1/users/${'a'.repeat(10_000)}`,
    `/v1/orders/${'%41'.repeat(2000)}`,
    `/v1/orders?${'q=1&'.repeat(2000)}`,
    '/docs',
    '/docs/',
    '/docs/openapi.json',
    '/docs/openapi.yaml',
    '/docs/swagger-ui.css',
    '/docs/nonexistent.js',
    '/metrics',
    '/health',
    '/v1',
    '/v2/users',
    '/V1/USERS',
    '*',
    'http://evil.example/v1/users',
    '/v1/users/me#frag',
    '/v1/users/me?',
  ];
  const cases: FuzzCase[] = [];
  for (const target of targets) {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])
      cases.push({ operation: 'raw', method, target, caller: 'none', headers: {}, label: `raw ${target.slice(0, 40)}` });
  }
  return cases;
}
