// The build's last step: browser assets the application serves, copied from their npm packages into
// dist/assets (the module map's diagram is drawn by Mermaid in the browser; no CDN is reachable).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = new URL('../dist/assets/', import.meta.url);
mkdirSync(target, { recursive: true });
copyFileSync(require.resolve('mermaid/dist/mermaid.min.js'), new URL('mermaid.min.js', target));
