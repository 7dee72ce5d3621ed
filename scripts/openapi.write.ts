import { writeFileSync } from 'node:fs';

// `npm run openapi`: regenerates openapi.json at the repository root from the code.
// The log level is read when the app's modules load, hence the dynamic import after setting it.
process.env.LOG_LEVEL ??= 'warn';
const { generateOpenApiDocument, serializeOpenApiDocument } = await import('./openapi.document.js');

// Compiled to .tmp/openapi/scripts/: the repository root is three levels up.
const target = new URL('../../../openapi.json', import.meta.url);
writeFileSync(target, serializeOpenApiDocument(await generateOpenApiDocument()));
process.stdout.write(`wrote ${target.pathname}\n`);
