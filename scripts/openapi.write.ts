import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchServedOpenApiDocument, serializeOpenApiDocument } from './openapi.document.js';

// `npm run openapi`: builds, then writes what the default monolith serves to openapi.json at the
// repository root. Compiled to .tmp/openapi/: the repository root is two levels up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const target = new URL('../../openapi.json', import.meta.url);
writeFileSync(target, serializeOpenApiDocument(await fetchServedOpenApiDocument(root)));
process.stdout.write(`wrote ${target.pathname}\n`);
