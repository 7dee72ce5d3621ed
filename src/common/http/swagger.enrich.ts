import type { OpenAPIObject } from '@nestjs/swagger';
import { problemResponse } from './problem.js';
import { UNLIMITED_EXTENSION } from './rate-limit.decorators.js';

type Json = Record<string, any>;

const CORRELATION_HEADER = 'x-correlation-id';
/** Methods whose requests Fastify parses a body for, whether or not the route documents one. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
/**
 * Refusals given before routing, by Node's HTTP parser or the router: one shared response each. They
 * come before the rate limiter (no limit headers), and their problem's `instance` is always `/`.
 */
const BEFORE_ROUTING = {
  408: { name: 'RequestTimeout', code: 'COMMON.REQUEST_TIMEOUT' },
  414: { name: 'UriTooLong', code: 'COMMON.URI_TOO_LONG' },
  431: { name: 'HeadersTooLarge', code: 'COMMON.HEADERS_TOO_LARGE' },
} as const;

/**
 * Adds to every operation what the HTTP layer does for all routes alike, so no controller has to
 * repeat it: the correlation id header, the problems raised before a handler runs (Node's HTTP parser,
 * the router, body parsing, size, media type) or after it fails unexpectedly, and a ready-made example
 * for each JSON body.
 */
export function enrichDocument(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {}) as Json;
  components.parameters = {
    ...components.parameters,
    CorrelationId: {
      name: CORRELATION_HEADER,
      in: 'header',
      required: false,
      schema: { type: 'string', maxLength: 128 },
      description: 'Optional. Your own id for this request; it is echoed back and appears in every log line and problem body.',
    },
  };
  components.headers = {
    ...components.headers,
    CorrelationId: { description: "The request's correlation id (yours if you sent one).", schema: { type: 'string', maxLength: 128 } },
    ...RATE_LIMIT_HEADERS,
  };
  components.responses = { ...components.responses, ...refusalResponses() };
  tightenFormats(document);
  declareTags(document);

  for (const [path, item] of Object.entries(document.paths) as Array<[string, Json]>) {
    for (const [method, operation] of Object.entries(item) as Array<[string, Json]>) {
      const rateLimited = operation[UNLIMITED_EXTENSION] !== false;
      delete operation[UNLIMITED_EXTENSION];
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/CorrelationId' }];
      const responses: Json = operation.responses;
      // Node's HTTP parser refuses any request, whatever its route: a request that is not valid HTTP
      // (a NUL in a header, say), headers (request line included) over the limit, or too slow to arrive.
      addProblem(responses, 400, 'COMMON.MALFORMED_REQUEST');
      addRefusal(responses, 408);
      addRefusal(responses, 431);
      // The router refuses a path parameter over its length limit.
      if (operation.parameters.some((p: Json) => p.in === 'path')) addRefusal(responses, 414);
      // A body sent to a route that takes none is still parsed, and refused the same way.
      if (operation.requestBody || BODY_METHODS.has(method)) {
        addProblem(responses, 413, 'COMMON.PAYLOAD_TOO_LARGE');
        addProblem(responses, 415, 'COMMON.UNSUPPORTED_MEDIA_TYPE');
      }
      if (rateLimited) addProblem(responses, 429, 'COMMON.TOO_MANY_REQUESTS');
      addProblem(responses, 500, 'COMMON.INTERNAL');
      const instance = examplePath(path, operation.parameters);
      for (const [status, response] of Object.entries(responses) as Array<[string, Json]>) {
        if (response.$ref) continue;
        response.headers = { ...response.headers, [CORRELATION_HEADER]: { $ref: '#/components/headers/CorrelationId' } };
        if (rateLimited && Number(status) < 500) Object.assign(response.headers, rateLimitHeaderRefs());
        addExample(response.content?.['application/json'], components.schemas);
        for (const example of Object.values(response.content?.['application/problem+json']?.examples ?? {}) as Json[]) {
          example.value = { ...example.value, instance };
        }
      }
    }
  }
  document.servers = [
    {
      url: '/',
      description: 'This deployment, whichever environment (local, staging or production) serves this document',
      'x-internal': false,
    } as Json as never,
  ];
  return pruneUnusedSchemas(document);
}

/**
 * Drops component schemas nothing refers to. A process that hosts module cores also scans their message
 * classes (they are decorated for validation and the contracts' docs), but no HTTP operation uses them.
 */
function pruneUnusedSchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Json;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Json)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
        const name = child.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else {
        visit(child);
      }
    }
  };
  visit({ ...document, components: { ...document.components, schemas: {} } });
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return document;
}

const COUNT = { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000 };
const SECONDS = { type: 'integer', format: 'int32', minimum: 0, maximum: 3600 };

/**
 * The general limit's headers, on every answer the limiter counted, refusals included (routing and
 * body-parsing refusals come before it and carry none); credential routes add the same names
 * suffixed with the limit's name.
 */
const RATE_LIMIT_HEADERS = {
  RateLimitLimit: { description: 'Requests this client may make per window (RATE_LIMIT), across every route.', schema: COUNT },
  RateLimitRemaining: { description: 'Requests left in the current window.', schema: COUNT },
  RateLimitReset: { description: 'Seconds until the current window ends.', schema: SECONDS },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: SECONDS },
};

/** Every tag an operation uses, declared once at the top as OpenAPI expects, in order of first use. */
function declareTags(document: OpenAPIObject): void {
  const declared = new Set((document.tags ?? []).map((t) => t.name));
  for (const item of Object.values(document.paths) as Json[]) {
    for (const operation of Object.values(item) as Json[]) {
      for (const tag of (operation.tags ?? []) as string[]) {
        if (!declared.has(tag)) (document.tags ??= []).push({ name: tag, description: `The ${tag} operations.` });
        declared.add(tag);
      }
    }
  }
}

/**
 * Bounds that hold by construction: a UUID is 36 characters, a timestamp is written by
 * Date#toISOString (24 characters).
 */
function tightenFormats(document: OpenAPIObject): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Json;
    if (schema.type === 'string' && schema.format === 'uuid' && schema.maxLength === undefined) schema.maxLength = 36;
    if (schema.type === 'string' && schema.format === 'date-time' && schema.maxLength === undefined) schema.maxLength = 24;
    Object.values(schema).forEach(visit);
  };
  visit(document.paths);
  visit(document.components);
}

const rateLimitHeaderRefs = () => ({
  'X-RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
});

/** The shared responses of the refusals given before routing, with the correlation id every answer carries. */
function refusalResponses(): Json {
  return Object.fromEntries(
    Object.entries(BEFORE_ROUTING).map(([status, { name, code }]) => {
      const response: Json = problemResponse(Number(status), [code]);
      response.headers = { [CORRELATION_HEADER]: { $ref: '#/components/headers/CorrelationId' } };
      for (const example of Object.values(response.content['application/problem+json'].examples) as Json[]) example.value.instance = '/';
      return [name, response];
    }),
  );
}

/** Refers to the shared response of a refusal given before routing, or adds its code to the route's own response of that status. */
function addRefusal(responses: Json, status: keyof typeof BEFORE_ROUTING): void {
  const { name, code } = BEFORE_ROUTING[status];
  if (responses[status]) addProblem(responses, status, code);
  else responses[status] = { $ref: `#/components/responses/${name}` };
}

/** Adds a code to the problem response of a status, creating it if the route declared none. */
function addProblem(responses: Json, status: number, code: string): void {
  const existing = responses[status];
  const media = existing?.content?.['application/problem+json'];
  if (!media) {
    responses[status] = problemResponse(status, [code]);
    return;
  }
  if (code in (media.examples ?? {})) return;
  const codes = [...Object.keys(media.examples ?? {}), code];
  responses[status] = { ...problemResponse(status, codes), ...(existing.headers ? { headers: existing.headers } : {}) };
}

/** The operation's path with its parameters' examples filled in, as a problem's `instance` shows it. */
function examplePath(path: string, parameters: Json[]): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
    return String(parameter?.schema?.example ?? parameter?.example ?? name);
  });
}

function addExample(media: Json | undefined, schemas: Json): void {
  if (!media?.schema || media.example !== undefined || media.examples !== undefined) return;
  const example = exampleOf(media.schema, schemas);
  if (example !== undefined) media.example = example;
}

/** Builds an example value from the `example`s declared on a schema's properties. */
function exampleOf(schema: Json, schemas: Json, depth = 0): unknown {
  if (depth > 8) return undefined;
  if (schema.$ref) return exampleOf(schemas[String(schema.$ref).split('/').pop()!] ?? {}, schemas, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.type === 'array' && schema.items) {
    const item = exampleOf(schema.items, schemas, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (schema.properties) {
    const entries = Object.entries(schema.properties as Json)
      .map(([key, property]) => [key, exampleOf(property as Json, schemas, depth + 1)] as const)
      .filter(([, value]) => value !== undefined);
    return Object.fromEntries(entries);
  }
  return undefined;
}
