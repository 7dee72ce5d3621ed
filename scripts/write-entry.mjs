// The image runs `node dist/main.js`; the compiler keeps the source tree's shape (dist/src, dist/migrations),
// so the build adds this small entry point.
import { writeFileSync } from 'node:fs';
// Tracing starts first, so that its instrumentations hook `http` and `pg` before Fastify and TypeORM load them.
writeFileSync(
  new URL('../dist/main.js', import.meta.url),
  "await import('./src/common/observability/tracing.preload.js');\nawait import('./src/main.js');\n",
);
