import { CommonErrors } from '../errors/common.errors.js';
import { DomainError } from '../errors/domain-error.js';

/**
 * Bounds on the shape of any decoded input (an HTTP body, query or path parameters, a message payload),
 * checked before class-transformer and class-validator see it: both recurse, so a deep enough value
 * overflows the stack, and some validators throw on text that is not well-formed Unicode.
 */
export interface InputLimits {
  maxDepth: number;
  maxStringLength: number;
  maxArrayLength: number;
  maxKeys: number;
}

export const INPUT_LIMITS: Readonly<InputLimits> = {
  /** Objects and arrays inside each other; the deepest contract needs 3. */
  maxDepth: 32,
  /** Characters in one string (or object key). */
  maxStringLength: 10_000,
  /** Items in one array. */
  maxArrayLength: 1_000,
  /** Keys in one object. */
  maxKeys: 100,
};

/** What is wrong with an input: its structure (no field to blame) or one field's value. */
export type InputProblem =
  { kind: 'structure'; message: string } | { kind: 'fields'; violations: Array<{ field: string; messages: string[] }> };

const MAX_REPORTED = 20;

/**
 * Keys no contract can declare: the members of Object.prototype (every object answers to them, so
 * class-transformer skips them as methods) and `prototype` (which the validation pipe strips). They
 * never reach the whitelist check, so they are refused here, as the unknown fields they are.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** The answer the whitelist gives an unknown field, so a reserved key reads like any other. */
const unknownField = (key: string) => `property ${key} should not exist`;

/**
 * Objects found within INPUT_LIMITS: a payload checked where it was decoded (the body parser, a
 * listener) is not walked again by the validation pipe. Inputs are fresh decoded values, not mutated
 * between those two points.
 */
const withinDefaultLimits = new WeakSet<object>();

/** Reports the first structural problem of a value, or its field problems; undefined when it is within the limits. */
export function inspectInput(value: unknown, limits: InputLimits = INPUT_LIMITS): InputProblem | undefined {
  const remembered = limits === INPUT_LIMITS && typeof value === 'object' && value !== null;
  if (remembered && withinDefaultLimits.has(value)) return undefined;
  if (within(value, limits, 0)) {
    if (remembered) withinDefaultLimits.add(value);
    return undefined;
  }
  return findProblems(value, limits);
}

/**
 * The common case, an input within every limit, without building paths. Recursion is safe here: it
 * stops at maxDepth. Anything this refuses is walked again by findProblems to say what is wrong.
 */
function within(value: unknown, limits: InputLimits, depth: number): boolean {
  if (typeof value === 'string') return textWithin(value, limits);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= limits.maxDepth) return false;
  if (Array.isArray(value)) {
    if (value.length > limits.maxArrayLength) return false;
    for (let i = 0; i < value.length; i++) if (!within(value[i], limits, depth + 1)) return false;
    return true;
  }
  const keys = Object.keys(value);
  if (keys.length > limits.maxKeys) return false;
  for (const key of keys) {
    if (RESERVED_KEYS.has(key) || !textWithin(key, limits)) return false;
    if (!within((value as Record<string, unknown>)[key], limits, depth + 1)) return false;
  }
  return true;
}

/** Walks the value without recursion, so its own depth cannot hurt; reports the first structural problem, or field problems. */
function findProblems(value: unknown, limits: InputLimits): InputProblem | undefined {
  const violations: Array<{ field: string; messages: string[] }> = [];
  const violation = (field: string, message: string) => {
    if (violations.length < MAX_REPORTED) violations.push({ field, messages: [message] });
  };
  const report = (field: string, message: string) => violation(field, `${field || 'value'} ${message}`);
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current, limits);
      if (problem) report(path, problem);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limits.maxDepth) return { kind: 'structure', message: `The input nests deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(current)) {
      if (current.length > limits.maxArrayLength) {
        report(path, `must contain at most ${limits.maxArrayLength} items`);
        continue;
      }
      current.forEach((item, index) => stack.push({ value: item, path: join(path, String(index)), depth: depth + 1 }));
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > limits.maxKeys) {
      report(path, `must have at most ${limits.maxKeys} fields`);
      continue;
    }
    for (const key of keys) {
      const field = join(path, key);
      const problem = textProblem(key, limits);
      if (RESERVED_KEYS.has(key)) violation(field, unknownField(key));
      else if (problem) report(field, `has a name that ${problem}`);
      else stack.push({ value: (current as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return violations.length ? { kind: 'fields', violations: violations.sort((a, b) => a.field.localeCompare(b.field)) } : undefined;
}

/** The domain error an input problem is answered with, the same for HTTP and message payloads. */
export function inputProblemError(problem: InputProblem): DomainError {
  return problem.kind === 'structure'
    ? new DomainError(CommonErrors.MALFORMED_REQUEST, problem.message)
    : new DomainError(CommonErrors.VALIDATION_FAILED, 'The request is not valid', problem.violations);
}

function textProblem(text: string, limits: InputLimits): string | undefined {
  if (text.length > limits.maxStringLength) return `must be at most ${limits.maxStringLength} characters long`;
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  // A lone UTF-16 surrogate is not encodable as UTF-8.
  if (!isWellFormed(text)) return 'must be valid Unicode text';
  return undefined;
}

function textWithin(text: string, limits: InputLimits): boolean {
  return text.length <= limits.maxStringLength && !text.includes('\u0000') && isWellFormed(text);
}

/** String.prototype.isWellFormed (ES2024; the compiler's lib stops at ES2023). */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
