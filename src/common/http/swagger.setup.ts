import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetails } from './problem.js';
import { enrichDocument } from './swagger.enrich.js';

const DESCRIPTION = [
  'Users and orders behind message patterns.',
  '',
  'Errors are `application/problem+json` (RFC 9457) with a stable `code` to branch on (for example',
  '`USERS.NOT_FOUND`) and a `correlationId`; validation failures list the offending fields in `errors`.',
  'A path no route has answers 404 `COMMON.ROUTE_NOT_FOUND`, a method a path does not serve 405 `COMMON.METHOD_NOT_ALLOWED`',
  '(with `Allow`). Every operation lists the refusals of the HTTP layer it can give: 400 `COMMON.MALFORMED_REQUEST` (not',
  'valid HTTP, bad encoding, dot segments, JSON nested deeper than 32 levels), 408 `COMMON.REQUEST_TIMEOUT`, 431',
  '`COMMON.HEADERS_TOO_LARGE` (headers and request line together) and, with a path parameter, 414 `COMMON.URI_TOO_LONG`. Strings with NUL',
  'characters or lone surrogates, over 10000 characters, arrays over 1000 items and objects over 100 fields are',
  'refused as 400 `COMMON.VALIDATION_FAILED`.',
  '',
  'Every response carries an `x-correlation-id` header; send one to choose it.',
  '',
  'Rate limits, per client address and window (RATE_LIMIT_WINDOW_MS, default 60 s): every route but /health/* together',
  'RATE_LIMIT (default 300) requests; register, login and password change together CREDENTIAL_CLIENT_RATE_LIMIT',
  '(default 20) attempts, and CREDENTIAL_RATE_LIMIT (default 5) attempts per account and route. Answers carry',
  '`x-ratelimit-limit`, `-remaining` and `-reset` (the credential limits the same names suffixed with',
  '`-credential-client` and `-credential-account`); a refusal is 429 `COMMON.TOO_MANY_REQUESTS` with `retry-after`.',
  '',
  'Sign in with POST /v1/auth/register or /v1/auth/login and send the access token as `Authorization: Bearer <token>`;',
  'the refresh token lives in an HttpOnly cookie used by /v1/auth/refresh and /v1/auth/logout.',
].join('\n');

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Modular monolith API')
    .setDescription(DESCRIPTION)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'An access token from /v1/auth/login, /register or /refresh. Tokens follow RFC8725 (JWT best current practices): ' +
        'one pinned algorithm (HS256), issuer, audience, expiry and token use checked on every verification.',
    })
    .addCookieAuth(
      'refresh_token',
      { type: 'apiKey', in: 'cookie', name: 'refresh_token', description: 'Set by the auth routes; HttpOnly.' },
      'refresh_token',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails],
    // `usersCreate`, `ordersPlace`, `healthLive`: stable names for generated clients.
    operationIdFactory: (controllerKey, methodKey) => {
      const context = controllerKey.replace(/(Http)?Controller$/, '');
      return `${context[0].toLowerCase()}${context.slice(1)}${methodKey[0].toUpperCase()}${methodKey.slice(1)}`;
    },
  });
  // Relative: the document describes whichever host serves it, and that host serves the public API.
  const server = {
    url: '/',
    description: 'The public API of whichever environment (local, staging, production) serves this document',
    'x-internal': false,
  };
  document.servers = [server];
  return enrichDocument(document);
}

/**
 * Swagger UI at /docs, the document at /docs/openapi.json. Given a factory, the document is built on
 * the first request for it (then kept), so start-up does not pay for it.
 */
export function setupSwagger(app: INestApplication, document: OpenAPIObject | (() => OpenAPIObject)): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
