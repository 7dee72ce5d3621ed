import type { FastifyInstance } from 'fastify';

/**
 * Which methods each registered path answers, so a known path asked with another method is answered
 * 405 with `Allow` rather than 404. Fed by the router's onRoute hook; catch-all routes (`*`) are left
 * out, since they would make every path look known.
 */
export class RouteMethods {
  private readonly routes: Array<{ segments: string[]; methods: Set<string> }> = [];

  /** Starts recording the routes of `fastify`: call before any route is registered. */
  record(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => this.add(route.method, route.url ?? route.path));
  }

  add(method: string | string[], url: string): void {
    if (url.includes('*')) return;
    const segments = split(url);
    let route = this.routes.find((r) => r.segments.join('/') === segments.join('/'));
    if (!route) this.routes.push((route = { segments, methods: new Set() }));
    for (const m of ([] as string[]).concat(method)) route.methods.add(m.toUpperCase());
  }

  /** The methods some route answers for this path (no query), sorted; empty when no route matches it. */
  allowed(path: string): string[] {
    const segments = split(path);
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (matches(route.segments, segments)) route.methods.forEach((m) => methods.add(m));
    }
    return [...methods].sort();
  }
}

const split = (path: string) =>
  path
    .split('?')[0]
    .split('/')
    .filter((s, i, all) => s !== '' || i === all.length - 1);

function matches(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]));
}
