import type { Type } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import type { ModuleContract, Operation } from './operation.js';
import { HANDLED_OPERATION } from './handles.decorator.js';

/** The request/reply handlers of a class: each method's pattern and the operation it was registered for, if any. */
function handlersOf(handlers: Type<unknown>): Array<{ method: string; patterns: string[]; operation?: Operation }> {
  const prototype = handlers.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .filter((method) => method !== 'constructor' && typeof prototype[method] === 'function')
    .map((method) => {
      const fn = prototype[method] as object;
      const patterns = (Reflect.getMetadata(PATTERN_METADATA, fn) ?? []) as unknown[];
      return { method, patterns: patterns.map(String), operation: Reflect.getMetadata(HANDLED_OPERATION, fn) as Operation | undefined };
    })
    .filter((h) => h.patterns.length > 0);
}

/**
 * What is wrong with how a module registers its handlers: a handler registered for a pattern that is
 * not one of the module's declared operations (or with `@MessagePattern` instead of `@Handles`), and a
 * declared operation without a handler. Empty when every declared operation has exactly one handler.
 */
export function registrationProblems(contract: ModuleContract, handlerClasses: readonly Type<unknown>[]): string[] {
  const declared = new Map(Object.values(contract.operations).map((o) => [o.pattern, o]));
  const handled = new Map<string, string>();
  const problems: string[] = [];
  for (const handlers of handlerClasses) {
    for (const { method, patterns, operation } of handlersOf(handlers)) {
      const where = `${handlers.name}.${method}`;
      for (const pattern of patterns) {
        if (!operation) problems.push(`${where} handles ${pattern} without a declaration (use @Handles(<operation>))`);
        else if (declared.get(pattern) !== operation)
          problems.push(`${where} handles ${pattern}, which the ${contract.name} contract does not declare`);
        else if (handled.has(pattern)) problems.push(`${where} handles ${pattern}, already handled by ${handled.get(pattern)}`);
        handled.set(pattern, where);
      }
    }
  }
  for (const pattern of declared.keys())
    if (!handled.has(pattern)) problems.push(`${pattern} is declared by ${contract.name} but no handler serves it`);
  return problems;
}
