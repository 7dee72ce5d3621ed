import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakingChanges } from '../../src/common/contracts/contract-compare.js';
import type { ContractSnapshot } from '../../src/common/contracts/contract-snapshot.js';
import { PROJECT_ROOT } from '../support/app-process.js';

type Json = Record<string, any>;

const read = (path: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, path), 'utf8'));
const baseline = read('contracts/baseline/messages.json') as ContractSnapshot;
const openapi = read('contracts/baseline/openapi.json') as Json;
const { openApiBreakingChanges } = (await import(join(PROJECT_ROOT, 'scripts', 'contracts', 'openapi-breaking.mjs'))) as {
  openApiBreakingChanges: (before: Json, after: Json) => string[];
};

/** The baseline with one change planted. */
function planted(change: (s: Json) => void): ContractSnapshot {
  const copy = structuredClone(baseline) as Json;
  change(copy);
  return copy as ContractSnapshot;
}

const op = (s: Json, pattern: string) => s.operations[pattern];

describe('contracts:check on the message contracts and events (planted changes against the committed baseline)', () => {
  it('finds nothing between the baseline and itself', () => {
    expect(breakingChanges(baseline, baseline)).toEqual([]);
  });

  it.each<[string, (s: Json) => void, string]>([
    ['a removed operation', (s) => delete s.operations['orders.cancel'], 'operation orders.cancel: removed'],
    ['a removed event', (s) => delete s.events['users.user-deleted'], 'event users.user-deleted: removed'],
    [
      'a removed reply field',
      (s) => delete op(s, 'users.get').reply.properties.email,
      'operation users.get: reply email: field removed (or renamed)',
    ],
    [
      'a renamed request field',
      (s) => {
        const request = op(s, 'users.update').request;
        request.properties.fullName = request.properties.name;
        delete request.properties.name;
        request.required = ['fullName', 'id'];
      },
      'operation users.update: request name: field removed (or renamed)',
    ],
    [
      'a renamed event field',
      (s) => {
        const payload = s.events['auth.account-registered'].payload;
        payload.properties.accountId = payload.properties.userId;
        delete payload.properties.userId;
      },
      'event auth.account-registered: payload userId: field removed (or renamed)',
    ],
    [
      'an optional request field made required',
      (s) => op(s, 'orders.list').request.required.push('userId'),
      'operation orders.list: request userId: now required',
    ],
    [
      'a new required request field',
      (s) => {
        const request = op(s, 'orders.place').request;
        request.properties.currency = { type: 'string' };
        request.required.push('currency');
      },
      'operation orders.place: request currency: new required field',
    ],
    [
      'a narrowed request type (a tighter bound)',
      (s) => (op(s, 'orders.place').request.properties.items.items.properties.quantity.maximum = 10),
      'operation orders.place: request items[].quantity: maximum lowered from 10000 to 10',
    ],
    [
      'a request type changed',
      (s) => (op(s, 'orders.place').request.properties.items.items.properties.quantity.type = 'string'),
      'operation orders.place: request items[].quantity: type changed from integer to string',
    ],
    [
      'a narrowed request enum',
      (s) => (op(s, 'users.update').request.properties.name.enum = ['Ada']),
      'operation users.update: request name: enum narrowed, "any value" no longer accepted',
    ],
    [
      'a widened reply enum',
      (s) => op(s, 'orders.get').reply.properties.status.enum.push('shipped'),
      'operation orders.get: reply status: enum widened, a consumer may now read ["shipped"]',
    ],
    [
      'a reply field no longer always present',
      (s) => (op(s, 'orders.get').reply.required = op(s, 'orders.get').reply.required.filter((f: string) => f !== 'totalCents')),
      'operation orders.get: reply totalCents: no longer always present',
    ],
    [
      'a new undeclared-before error',
      (s) => (op(s, 'users.get').errors['USERS.GONE'] = 410),
      'operation users.get: answers a new error, USERS.GONE (410), that its consumers do not handle',
    ],
    [
      'an idempotent operation made unsafe to retry',
      (s) => (op(s, 'users.get').idempotent = false),
      'operation users.get: no longer idempotent as before (true -> false); callers retry it',
    ],
    ['a narrowed access', (s) => (op(s, 'users.get').access = 'admin'), 'operation users.get: access narrowed from caller to admin'],
  ])('fails on %s, naming it', (_kind, change, expected) => {
    // The snapshot under test is the changed one; the baseline is the last release.
    const found = breakingChanges(baseline, planted(change));
    expect(found).toContain(expected);
  });

  it(
    'passes additive changes: a new operation, a new event, an optional request field, a reply field, a looser bound, an error ' +
      'dropped',
    () => {
      const after = planted((s) => {
        s.operations['users.audit'] = structuredClone(op(s, 'users.get'));
        s.events['users.user-renamed'] = structuredClone(s.events['users.user-deleted']);
        op(s, 'orders.place').request.properties.note = { type: 'string', maxLength: 200 };
        op(s, 'orders.get').reply.properties.note = { type: 'string' };
        op(s, 'orders.get').reply.required.push('note');
        op(s, 'users.update').request.properties.name.maxLength = 200;
        delete op(s, 'orders.cancel').errors['ORDERS.NOT_CANCELLABLE'];
        op(s, 'orders.cancel').idempotent = true;
      });
      expect(breakingChanges(baseline, after)).toEqual([]);
    },
  );
});

describe('contracts:check on openapi.json (api-smart-diff, planted changes against the committed baseline)', () => {
  const change = (edit: (d: Json) => void) => {
    const copy = structuredClone(openapi);
    edit(copy);
    return openApiBreakingChanges(openapi, copy);
  };
  const schemas = (d: Json) => d.components.schemas;

  it('finds nothing between the baseline and itself', () => {
    expect(openApiBreakingChanges(openapi, openapi)).toEqual([]);
  });

  it.each<[string, (d: Json) => void, string]>([
    [
      'a removed operation',
      (d) => delete d.paths['/v1/orders/{id}/cancel'].post,
      'openapi POST /v1/orders/{id}/cancel: [Removed] operation POST /v1/orders/{id}/cancel',
    ],
    [
      'a removed response field',
      (d) => delete schemas(d).OrderReply.properties.totalCents,
      'openapi GET /v1/orders/{id}: response 200 field totalCents: removed',
    ],
    [
      'a removed request field',
      (d) => delete schemas(d).UpdateUserBody.properties.name,
      'openapi PATCH /v1/users/{id}: request body field name: removed',
    ],
    [
      'a field newly required',
      (d) => {
        schemas(d).PlaceOrderBody.properties.currency = { type: 'string' };
        schemas(d).PlaceOrderBody.required.push('currency');
      },
      'openapi POST /v1/orders: request body field currency: now required',
    ],
    [
      'a narrowed request bound',
      (d) => (schemas(d).UpdateUserBody.properties.name.maxLength = 10),
      'openapi PATCH /v1/users/{id}: request body field name: maxLength changed (100 -> 10)',
    ],
    [
      'a response type changed',
      (d) => (schemas(d).OrderReply.properties.totalCents.type = 'string'),
      'openapi GET /v1/orders/{id}: response 200 field totalCents: type changed ("integer" -> "string")',
    ],
    [
      'a response value made nullable',
      (d) => (schemas(d).UserReply.properties.email.nullable = true),
      'openapi GET /v1/users/me: response 200 field email: nullable added (true)',
    ],
    [
      'a widened response enum',
      (d) => schemas(d).OrderReply.properties.status.enum.push('shipped'),
      'openapi GET /v1/orders/{id}: response 200 field status: enum value added ("shipped")',
    ],
  ])('fails on %s, naming the route', (_kind, edit, expected) => {
    const found = change(edit);
    expect(found).toContain(expected);
  });

  it('passes additive changes: a new route, a new optional request field, a new response field', () => {
    expect(
      change((d) => {
        d.paths['/v1/orders/{id}/notes'] = { get: structuredClone(d.paths['/v1/orders/{id}'].get) };
        schemas(d).PlaceOrderBody.properties.note = { type: 'string', maxLength: 200 };
        schemas(d).OrderReply.properties.note = { type: 'string', maxLength: 200 };
      }),
    ).toEqual([]);
  });
});
