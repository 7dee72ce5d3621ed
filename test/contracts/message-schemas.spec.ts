import 'reflect-metadata';
import { jest } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { MODULE_DEFINITIONS } = await import('../../src/app.modules.js');
const { catalogueOf } = await import('../../src/common/contracts/catalogue.js');
const { contractSnapshot, messageClasses } = await import('../../src/common/contracts/contract-snapshot.js');
const { messageSchemas } = await import('../../src/common/contracts/message-schemas.js');

type Fields = { fields: string[]; required: string[] };

/** What a request class's validation accepts: every validated field, and those without @IsOptional. */
function validated(type: new (...args: never[]) => object): Fields {
  const rules = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  const fields = [...new Set(rules.map((r) => r.propertyName))].sort();
  const optional = new Set(rules.filter((r) => r.type === 'conditionalValidation').map((r) => r.propertyName));
  return { fields, required: fields.filter((f) => !optional.has(f)) };
}

/**
 * The contract check compares the schemas the message classes' swagger decorators describe; this keeps
 * them honest about the requests: the documented fields are the validated ones, and the required ones
 * those validation does not let go missing.
 */
describe('message schemas', () => {
  const catalogue = catalogueOf(MODULE_DEFINITIONS);
  let snapshot: Awaited<ReturnType<typeof contractSnapshot>>;

  beforeAll(async () => {
    snapshot = contractSnapshot(catalogue, await messageSchemas(messageClasses(catalogue)));
  });

  it('describe every request exactly as its validation accepts it', () => {
    for (const operation of catalogue.modules.flatMap((m) => m.operations)) {
      const schema = snapshot.operations[operation.pattern].request;
      const described: Fields = { fields: Object.keys(schema.properties ?? {}).sort(), required: [...(schema.required ?? [])].sort() };
      expect([operation.pattern, described]).toEqual([operation.pattern, validated(operation.request)]);
    }
  });

  it('describe every reply and event payload field', () => {
    for (const { pattern } of catalogue.modules.flatMap((m) => m.operations)) {
      if (pattern.endsWith('.ping')) continue;
      expect([pattern, Object.keys(snapshot.operations[pattern].reply.properties ?? {}).length > 0]).toEqual([pattern, true]);
    }
    for (const [name, event] of Object.entries(snapshot.events))
      expect([name, event.payload.required?.length]).toEqual([name, Object.keys(event.payload.properties ?? {}).length]);
  });
});
