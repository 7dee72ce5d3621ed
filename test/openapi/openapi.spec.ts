import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub. Rate limits
// add nothing to the document.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { generateOpenApiDocument, serializeOpenApiDocument } = await import('../../scripts/openapi.document.js');

const COMMITTED = new URL('../../openapi.json', import.meta.url);

describe('openapi.json', () => {
  let generated: Record<string, unknown>;

  beforeAll(async () => {
    generated = await generateOpenApiDocument();
  }, 60_000);

  it('matches the document the code produces (run `npm run openapi` after changing the HTTP API)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    const regenerated = serializeOpenApiDocument(generated);
    if (committed !== regenerated) {
      throw new Error(
        'openapi.json is out of date with the code: run `npm run openapi` and commit the result.\n' +
          firstDifference(committed, regenerated),
      );
    }
  });

  it('is generated twice to the same bytes', async () => {
    expect(serializeOpenApiDocument(await generateOpenApiDocument())).toBe(serializeOpenApiDocument(generated));
  });
});

/** The first differing line, so the failure says where the drift is. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}:\n  committed: ${left[i] ?? '<end>'}\n  code:      ${right[i] ?? '<end>'}`;
  }
  return '';
}
