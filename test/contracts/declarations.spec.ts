import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { Type } from '@nestjs/common';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { MODULE_DEFINITIONS } = await import('../../src/app.modules.js');
const { registrationProblems } = await import('../../src/common/contracts/handler-registration.js');

describe('the modules’ operation declarations', () => {
  it.each(MODULE_DEFINITIONS.map((m) => [m.name, m] as const))(
    '%s: every declared operation has one handler, registered from its declaration',
    (_name, definition) => {
      const handlers = (Reflect.getMetadata('controllers', definition.core) ?? []) as Type<unknown>[];
      expect(handlers.length).toBeGreaterThan(0);
      expect(registrationProblems(definition.contract, handlers)).toEqual([]);
    },
  );

  it('name every operation a module uses as one another module declares', () => {
    const declared = new Set(MODULE_DEFINITIONS.flatMap((m) => Object.values(m.contract.operations)));
    for (const definition of MODULE_DEFINITIONS) {
      for (const operation of definition.uses) {
        expect([definition.name, operation.pattern, declared.has(operation)]).toEqual([definition.name, operation.pattern, true]);
        expect(operation.module).not.toBe(definition.name);
      }
    }
  });
});
