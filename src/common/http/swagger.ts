import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Modular monolith API')
    .setDescription(
      'Users and orders behind message patterns. Errors are application/problem+json (RFC 9457) with a stable `code`; ' +
        'every response carries an `x-correlation-id` header (send one to choose it). ' +
        'Sign in with POST /v1/auth/register or /v1/auth/login and send the access token as `Authorization: Bearer <token>`; ' +
        'the refresh token lives in an HttpOnly cookie used by /v1/auth/refresh and /v1/auth/logout.',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /v1/auth/login, /register or /refresh.' })
    .addCookieAuth('refresh_token', { type: 'apiKey', in: 'cookie', name: 'refresh_token', description: 'Set by the auth routes; HttpOnly.' }, 'refresh_token')
    .setVersion('1')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs, the document at /docs/openapi.json. */
export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}
