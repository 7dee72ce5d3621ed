import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/app-process.js';
import { admin, bearer, register } from '../support/auth-fixtures.js';
import { rawHttp, rawRequest, type RawResponse } from '../support/raw-http.js';
import { RunningTopology, startTopology } from '../support/topology.js';
import { casesFor, operationsOf, rawCases, undocumentedStatus, type Caller, type FuzzCase, type Operation } from '../fuzz/openapi-cases.js';

const CONCURRENCY = 8;
const MIN_REQUESTS = 3000;
const FORGED = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoiYWRtaW4ifQ.';

/**
 * What is wrong with an answer, if anything: a 5xx, a status its operation does not document, an error
 * that is not a problem with a code, no correlation id.
 */
function defectOf(c: FuzzCase, res: RawResponse, op: Operation | undefined): string | undefined {
  if (res.status >= 500) return `status ${res.status}`;
  const undocumented = op && undocumentedStatus(op, c, res.status);
  if (undocumented) return undocumented;
  const correlationId = res.headers['x-correlation-id'];
  if (!correlationId) return 'no x-correlation-id';
  if (res.status < 400 || c.method === 'HEAD') return undefined;
  if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) return `error as ${res.headers['content-type']}`;
  if (typeof res.body?.code !== 'string') return 'problem without a code';
  if (res.body.correlationId !== correlationId) return 'body and header name different correlation ids';
  return undefined;
}

/**
 * Every operation of the committed openapi.json, fuzzed: one change at a time to the documented
 * request (fields, whole bodies, media types, ids, cursors, limits, headers, methods), as nobody, a
 * user, an admin and a forged token, plus raw paths the router must refuse. No answer may be a 5xx,
 * every status an operation answers is one it documents, every error is problem+json with a code and
 * the correlation id, and the monolith keeps serving.
 */
describe('HTTP fuzz from openapi.json (monolith)', () => {
  let topology: RunningTopology;

  beforeAll(async () => {
    topology = await startTopology('monolith', { label: 'http-fuzz' });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it(
    `answers at least ${MIN_REQUESTS} hostile requests over every operation without a 5xx, each with a documented status, each error ` +
      `a problem with a code`,
    async () => {
      const document = JSON.parse(readFileSync(join(PROJECT_ROOT, 'openapi.json'), 'utf8'));
      const user = await register(topology.baseUrl, { name: 'Fuzz User' });
      const root = await admin(topology.baseUrl);
      const authorization: Record<Caller, string | undefined> = {
        none: undefined,
        user: bearer(user.accessToken),
        admin: bearer(root.accessToken),
        forged: FORGED,
      };
      const operations = operationsOf(document);
      const byId = new Map(operations.map((op) => [op.id, op]));
      const cases = [
        ...operations.flatMap((op) => casesFor(op, user.userId, op.secured ? ['none', 'user', 'admin', 'forged'] : ['none', 'forged'])),
        ...rawCases(),
      ];

      const statuses = new Map<number, number>();
      const perOperation = new Map<string, number>();
      const defects: string[] = [];
      /** Answers with a status their operation does not document, counted per operation and status. */
      const undocumented = new Map<string, number>();
      const started = Date.now();
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++];
          const headers = { ...(authorization[c.caller] ? { authorization: authorization[c.caller]! } : {}), ...c.headers };
          let res: RawResponse;
          try {
            res = await rawRequest(topology.baseUrl, rawHttp(c.method, c.target, headers, c.body ?? ''), 15_000);
          } catch (err) {
            defects.push(`${c.operation} ${c.method} ${c.label} as ${c.caller}: ${(err as Error).message.slice(0, 200)}`);
            continue;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          perOperation.set(c.operation, (perOperation.get(c.operation) ?? 0) + 1);
          const op = byId.get(c.operation);
          if (op && undocumentedStatus(op, c, res.status))
            undocumented.set(`${op.id} ${res.status}`, (undocumented.get(`${op.id} ${res.status}`) ?? 0) + 1);
          const defect = defectOf(c, res, op);
          if (defect) defects.push(`${c.operation} ${c.method} ${c.label} as ${c.caller}: ${defect} ${res.text.slice(0, 200)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (Date.now() - started) / 1000;

      const counts = [...statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ');
      process.stdout.write(
        `\n[http fuzz] ${cases.length} requests in ${seconds.toFixed(1)} s; statuses ${counts}\n` +
          `[http fuzz] per operation: ${[...perOperation.entries()].map(([o, n]) => `${o} ${n}`).join(', ')}\n` +
          `[http fuzz] undocumented statuses: ${[...undocumented.entries()].map(([k, n]) => `${k} (${n})`).join(', ') || 'none'}\n` +
          `[http fuzz] defects: ${defects.length}\n`,
      );

      expect([...undocumented.keys()].sort()).toEqual([]);
      expect(defects.slice(0, 20)).toEqual([]);
      expect(cases.length).toBeGreaterThanOrEqual(MIN_REQUESTS);
      expect(operations.filter((op) => (perOperation.get(op.id) ?? 0) < 20).map((op) => op.id)).toEqual([]);

      const ready = await rawRequest(topology.baseUrl, rawHttp('GET', '/health/ready'));
      expect(ready.status).toBe(200);
      const me = await rawRequest(topology.baseUrl, rawHttp('GET', '/v1/users/me', { authorization: authorization.user! }));
      expect({ status: me.status, id: me.body?.id }).toEqual({ status: 200, id: user.userId });
    },
    175_000,
  );
});
