import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetails } from './problem.js';
import { enrichDocument } from './swagger.enrich.js';

const DESCRIPTION = [
  'Users and orders behind message patterns.',
  '',
  'Errors are `application/problem+json` (RFC 9457) with a stable `code` to branch on (for example',
  '`USERS.NOT_FOUND`) and a `correlationId`; validation failures list the offending fields in `errors`.',
  'Any route can also answer 404 `COMMON.ROUTE_NOT_FOUND` (unknown path) or 405 `COMMON.METHOD_NOT_ALLOWED`.',
  '',
  'Every response carries an `x-correlation-id` header; send one to choose it.',
  '',
  'Sign in with POST /v1/auth/register or /v1/auth/login and send the access token as `Authorization: Bearer <token>`;',
  'the refresh token lives in an HttpOnly cookie used by /v1/auth/refresh and /v1/auth/logout.',
].join('\n');

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Modular monolith API')
    .setDescription(DESCRIPTION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /v1/auth/login, /register or /refresh.' })
    .addCookieAuth('refresh_token', { type: 'apiKey', in: 'cookie', name: 'refresh_token', description: 'Set by the auth routes; HttpOnly.' }, 'refresh_token')
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
  return enrichDocument(document);
}

/** Swagger UI at /docs, the document at /docs/openapi.json. */
export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
