import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchServedOpenApiDocument, serializeOpenApiDocument } from '../../scripts/openapi.document.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMMITTED = new URL('../../openapi.json', import.meta.url);

type Json = Record<string, any>;

describe('openapi.json', () => {
  let served: Json;

  beforeAll(async () => {
    served = await fetchServedOpenApiDocument(ROOT);
  }, 90_000);

  it('is exactly what the default monolith serves at /docs/openapi.json (run `npm run openapi` after changing the HTTP API)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    const live = serializeOpenApiDocument(served);
    if (committed !== live) {
      throw new Error(
        'openapi.json differs from the served document: run `npm run openapi` and commit the result.\n' + firstDifference(committed, live),
      );
    }
  });

  /** A response itself, or the shared one it refers to. */
  const resolve = (response: Json | undefined): Json | undefined =>
    response?.$ref ? served.components.responses[String(response.$ref).split('/').pop()!] : response;

  it('holds no schema that nothing refers to', () => {
    const text =
      JSON.stringify({ ...served, components: { ...served.components, schemas: {} } }) + JSON.stringify(served.components.schemas);
    const unused = Object.keys(served.components.schemas).filter((name) => !text.includes(`"#/components/schemas/${name}"`));
    expect(unused).toEqual([]);
  });

  it(
    'lists the refusals of the HTTP parser and router on every operation, of body parsing on every operation that can carry a body, ' +
      'and the rate-limit headers on 429',
    () => {
      for (const [path, item] of Object.entries(served.paths as Json)) {
        for (const [method, operation] of Object.entries(item as Json)) {
          if (['post', 'put', 'patch', 'delete'].includes(method)) {
            expect([path, method, Object.keys(operation.responses).filter((s) => ['400', '413', '415'].includes(s))]).toEqual([
              path,
              method,
              ['400', '413', '415'],
            ]);
          }
          // Node's HTTP parser refuses any request; the router refuses an over-long path parameter.
          const refusals = {
            400: 'COMMON.MALFORMED_REQUEST',
            408: 'COMMON.REQUEST_TIMEOUT',
            431: 'COMMON.HEADERS_TOO_LARGE',
            ...(path.includes('{') ? { 414: 'COMMON.URI_TOO_LONG' } : {}),
          };
          for (const [status, code] of Object.entries(refusals)) {
            const response = resolve(operation.responses[status]);
            const examples = response?.content?.['application/problem+json']?.examples ?? {};
            expect([path, method, status, Object.keys(examples).includes(code)]).toEqual([path, method, status, true]);
          }
          if (!path.includes('{')) expect([path, method, operation.responses['414']]).toEqual([path, method, undefined]);
          const tooMany = operation.responses['429'];
          if (tooMany)
            expect(Object.keys(tooMany.headers).map((h) => h.toLowerCase())).toEqual(
              expect.arrayContaining(['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
            );
        }
      }
      expect(served.servers).toEqual([{ url: '/', description: expect.any(String), 'x-internal': false }]);
    },
  );
});

/** The first differing line, so the failure says where the drift is. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}:\n  committed: ${left[i] ?? '<end>'}\n  served:    ${right[i] ?? '<end>'}`;
  }
  return '';
}
