import { Logger } from '@nestjs/common';
import { MODULE_DEFINITIONS } from '../src/app.modules.js';
import { createApp } from '../src/bootstrap.js';
import { readTopology } from '../src/common/config/topology.js';
import { buildOpenApiDocument } from '../src/common/http/swagger.js';

/**
 * The OpenAPI document of the public HTTP API, as the committed openapi.json holds it.
 *
 * It comes from an API-only process (no module core, so no database) in which every module is
 * reached over TCP: those clients connect on first send, and nothing here sends, so no server needs
 * to be running. The app is built, never listened on, and closed.
 */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const env: Record<string, string> = { MODULES: '', API: 'true' };
  for (const m of MODULE_DEFINITIONS) env[`${m.name.toUpperCase()}_TRANSPORT`] = 'tcp';
  const topology = readTopology(env, MODULE_DEFINITIONS);

  Logger.overrideLogger(['error', 'warn']);
  const app = await createApp(topology);
  try {
    return sortKeys(buildOpenApiDocument(app)) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** The file's exact text: keys sorted at every level so the same code always gives the same bytes. */
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
