import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

@Module({})
class NoRoutesModule {}

type Schema = Record<string, unknown>;

/**
 * The JSON schemas of message classes, read from their swagger decorators (as the HTTP document reads
 * its bodies) through the public API: a document of an application without routes, the classes as
 * extra models. Keyed by class name; nested classes appear as `$ref`s to their own entries.
 */
export async function messageSchemas(classes: readonly Type<unknown>[]): Promise<Record<string, Schema>> {
  const app = await NestFactory.create(NoRoutesModule, new FastifyAdapter(), { logger: false });
  try {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), { extraModels: [...classes] });
    return (document.components?.schemas ?? {}) as Record<string, Schema>;
  } finally {
    await app.close();
  }
}
