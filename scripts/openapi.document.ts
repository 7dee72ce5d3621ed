import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 60_000;

/**
 * The OpenAPI document the default monolith serves at /docs/openapi.json: the built `dist/main.js` run
 * with every module core and the API in one process, on an embedded database kept in memory. The
 * committed openapi.json is this document, so what clients download and what the repository holds
 * cannot drift apart. Needs a current build (`npm run build`).
 */
export async function fetchServedOpenApiDocument(root: string): Promise<Record<string, unknown>> {
  const port = await freePort();
  const env: Record<string, string> = { DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'error' };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name]!;
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the monolith exited with code ${child.exitCode} before serving its document`);
      const res = await fetch(`http://127.0.0.1:${port}/docs/openapi.json`).catch(() => undefined);
      if (res?.ok) return (await res.json()) as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the monolith did not serve /docs/openapi.json within ${READY_TIMEOUT_MS} ms`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

/** The file's exact text: keys sorted at every level so the same document always gives the same bytes. */
export function serializeOpenApiDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}
