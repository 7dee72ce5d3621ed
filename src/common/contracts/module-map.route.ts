import type { INestApplication } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import type { ModuleDefinition } from './module-definition.js';
import { catalogueOf } from './catalogue.js';
import { MODULE_MAP_START_SCRIPT, moduleMapHtml } from './module-map.render.js';

export const MODULE_MAP_PATH = '/docs/modules';

/**
 * Mermaid's browser bundle, copied from the mermaid package into dist/assets by the build
 * (scripts/copy-assets.mjs): served from here, never from a CDN.
 */
const MERMAID_BUNDLE = new URL('../../../assets/mermaid.min.js', import.meta.url);

type Reply = { type(contentType: string): Reply; header(name: string, value: string): Reply; send(body: string | Buffer): void };
type Routes = { get(path: string, handler: (request: unknown, reply: Reply) => void): void };

/**
 * Serves the module map at /docs/modules, beside the API documentation: the page is built from the
 * modules' declarations on the first request (then kept), the diagram drawn in the browser.
 */
export function setupModuleMap(app: INestApplication, definitions: readonly ModuleDefinition[]): void {
  const fastify = app.getHttpAdapter().getInstance() as Routes;
  let page: string | undefined;
  let bundle: Buffer | undefined;
  const assets = { mermaid: `${MODULE_MAP_PATH}/mermaid.min.js`, start: `${MODULE_MAP_PATH}/start.js` };
  fastify.get(MODULE_MAP_PATH, (_request, reply) => {
    page ??= moduleMapHtml(catalogueOf(definitions), assets);
    reply.type('text/html; charset=utf-8').send(page);
  });
  fastify.get(assets.start, (_request, reply) => reply.type('text/javascript; charset=utf-8').send(MODULE_MAP_START_SCRIPT));
  fastify.get(assets.mermaid, (_request, reply) => {
    if (!bundle && !existsSync(MERMAID_BUNDLE)) {
      reply
        .type('text/javascript; charset=utf-8')
        .send('document.body.setAttribute("data-diagram", "failed: the build did not copy mermaid.min.js");');
      return;
    }
    bundle ??= readFileSync(MERMAID_BUNDLE);
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(bundle);
  });
}
