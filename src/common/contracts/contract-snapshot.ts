import type { Type } from '@nestjs/common';
import type { Catalogue } from './catalogue.js';
import { answerableErrors, type Access, type Idempotence } from './operation.js';

/** A message field's schema as the contract check compares it: only what a consumer depends on. */
export interface FieldSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
  required?: string[];
}

export interface OperationSnapshot {
  request: FieldSchema;
  reply: FieldSchema;
  /** Every code the operation answers with (conventional ones included), with its status. */
  errors: Record<string, number>;
  idempotent: Idempotence;
  access: Access;
}

export interface EventSnapshot {
  payload: FieldSchema;
  orderingKey: string;
}

/** What the modules declare, as plain JSON: committed as the baseline of a release, compared by `contracts:check`. */
export interface ContractSnapshot {
  operations: Record<string, OperationSnapshot>;
  events: Record<string, EventSnapshot>;
}

const KEPT = [
  'type',
  'format',
  'enum',
  'nullable',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;

type Schema = Record<string, any>;

/** A schema with its `$ref`s inlined and everything but the kept keywords dropped. */
function field(schema: Schema, schemas: Record<string, Schema>, seen: readonly string[] = []): FieldSchema {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    if (seen.includes(name))
      throw new Error(`message schema ${name} refers to itself; the contract check does not compare recursive messages`);
    return field(schemas[name] ?? {}, schemas, [...seen, name]);
  }
  const out: Record<string, unknown> = {};
  for (const key of KEPT) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.items) out.items = field(schema.items, schemas, seen);
  if (schema.properties) {
    out.type ??= 'object';
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => [k, field(v, schemas, seen)]),
    );
    out.required = [...((schema.required as string[] | undefined) ?? [])].sort();
  }
  return out as FieldSchema;
}

const classSchema = (type: Type<unknown>, schemas: Record<string, Schema>): FieldSchema =>
  field(schemas[type.name] ? { $ref: `#/components/schemas/${type.name}` } : { type: 'object', properties: {} }, schemas);

/** Every class a snapshot needs the schema of. */
export function messageClasses(catalogue: Catalogue): Type<unknown>[] {
  const classes = catalogue.modules.flatMap((m) => [
    ...m.operations.flatMap((o) => [o.request, o.reply]),
    ...m.publishes.map((e) => e.payload),
  ]);
  const unique = [...new Set(classes)];
  const names = unique.map((c) => c.name);
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash) throw new Error(`two message classes are named ${clash}: schemas are keyed by class name`);
  return unique;
}

/** The snapshot of every declared operation and event, given the message classes' schemas (`messageSchemas`). */
export function contractSnapshot(catalogue: Catalogue, schemas: Record<string, Schema>): ContractSnapshot {
  const operations: Record<string, OperationSnapshot> = {};
  const events: Record<string, EventSnapshot> = {};
  for (const m of catalogue.modules) {
    for (const o of m.operations) {
      operations[o.pattern] = {
        request: classSchema(o.request, schemas),
        reply: classSchema(o.reply, schemas),
        errors: Object.fromEntries(answerableErrors(o).map((e) => [e.code, e.status])),
        idempotent: o.idempotent,
        access: o.access,
      };
    }
    for (const e of m.publishes) events[e.name] = { payload: classSchema(e.payload, schemas), orderingKey: e.orderingKey };
  }
  return { operations, events };
}
