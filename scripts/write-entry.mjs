// The image runs `node dist/main.js`; the compiler keeps the source tree's shape (dist/src, dist/migrations),
// so the build adds this one-line entry point.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/main.js', import.meta.url), "import './src/main.js';\n");
