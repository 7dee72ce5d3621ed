// The image runs `node dist/main.js`; the compiler keeps the source tree's shape (dist/src, dist/migrations),
// so the build adds this small entry point, and beside it the Node.js version check (scripts/node-version.mjs).
import { copyFileSync, writeFileSync } from 'node:fs';
copyFileSync(new URL('./node-version.mjs', import.meta.url), new URL('../dist/node-version.js', import.meta.url));
// The version check first: a static import of a module with no dependencies, evaluated before the body, which
// imports the application only once the running Node.js is known to be supported (its native addons would
// crash another one). Then tracing, so that its instrumentations hook `http` and `pg` before Fastify and
// TypeORM load them.
writeFileSync(
  new URL('../dist/main.js', import.meta.url),
  "import { refuseUnsupportedNode } from './node-version.js';\n" +
    "refuseUnsupportedNode(new URL('../package.json', import.meta.url));\n" +
    "await import('./src/common/observability/tracing.preload.js');\n" +
    "await import('./src/main.js');\n",
);
