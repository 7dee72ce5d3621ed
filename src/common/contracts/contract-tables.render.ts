import type { Type } from '@nestjs/common';
import type { Catalogue, CatalogueModule } from './catalogue.js';
import { conventionalErrors, type Access, type Idempotence, type Operation } from './operation.js';

const ACCESS: Record<Access, string> = { anyone: 'anyone', caller: 'any verified caller', user: 'a signed-in user', admin: 'an admin' };

const code = (text: string) => `\`${text}\``;
const typeName = (type: Type<unknown>) => code(type.name);

function idempotence(idempotent: Idempotence): string {
  if (typeof idempotent === 'boolean') return idempotent ? 'yes' : 'no';
  return `when it carries \`${idempotent.key}\``;
}

function errors(operation: Operation<any, any>): string {
  const conventional = new Set(conventionalErrors(operation).map((e) => e.code));
  return [...conventionalErrors(operation), ...operation.errors.filter((e) => !conventional.has(e.code))]
    .map((e) => `${code(e.code)} ${e.status}`)
    .join(', ');
}

function publishes(operation: Operation<any, any>): string {
  return operation.publishes?.length ? ` Publishes ${operation.publishes.map(code).join(', ')}.` : '';
}

/** The table of one module's operations in docs/contracts.md. */
export function operationsTable(module: CatalogueModule): string {
  return [
    '| pattern | payload | reply | what it does | errors | idempotent | who may call |',
    '|---|---|---|---|---|---|---|',
    ...module.operations.map(
      (o) =>
        `| ${code(o.pattern)} | ${typeName(o.request)} | ${typeName(o.reply)} | ${o.summary}${publishes(o)} | ${errors(o)} | ` +
        `${idempotence(o.idempotent)} | ${ACCESS[o.access]} |`,
    ),
  ].join('\n');
}

/** What each module needs from the others: the operations it calls and the events it consumes. */
export function dependenciesTable(catalogue: Catalogue): string {
  const list = (items: readonly string[]) => (items.length ? items.map(code).join(', ') : 'nothing');
  return [
    '| module | calls (request/reply) | consumes events | publishes events |',
    '|---|---|---|---|',
    ...catalogue.modules.map(
      (m) =>
        `| ${code(m.name)} | ${list(m.uses.map((o) => o.pattern))} | ${list(m.subscribes)} | ${list(m.publishes.map((e) => e.name))} |`,
    ),
  ].join('\n');
}

/** Every declared event: producer, payload, consumers, ordering key. */
export function eventsTable(catalogue: Catalogue): string {
  return [
    '| event | producer | payload | what it reports | consumers | ordering key |',
    '|---|---|---|---|---|---|',
    ...catalogue.events.map(
      ({ event, consumers }) =>
        `| ${code(event.name)} | ${event.producer} | ${typeName(event.payload)} | ${event.summary} | ${consumers.join(', ') || 'none'} ` +
        `| ${code(event.orderingKey)} |`,
    ),
  ].join('\n');
}

/** The generated blocks of docs/contracts.md, by marker name. */
export function contractTables(catalogue: Catalogue): Record<string, string> {
  const blocks: Record<string, string> = { dependencies: dependenciesTable(catalogue), events: eventsTable(catalogue) };
  for (const m of catalogue.modules) blocks[`operations ${m.name}`] = operationsTable(m);
  return blocks;
}

const begin = (name: string) => `<!-- generated: ${name} (npm run contracts:docs) -->`;
const end = (name: string) => `<!-- end generated: ${name} -->`;

/**
 * Replaces the text between each pair of markers with its block. Every block must have its markers
 * and every marker a block, so a module added or removed cannot leave the page silently stale.
 */
export function fillGenerated(markdown: string, blocks: Record<string, string>): string {
  const found = [...markdown.matchAll(/<!-- generated: (.+?) \(/g)].map((m) => m[1]);
  const missing = Object.keys(blocks).filter((name) => !found.includes(name));
  const unknown = found.filter((name) => !(name in blocks));
  if (missing.length || unknown.length) {
    throw new Error(
      `generated blocks without markers: ${missing.join(', ') || 'none'}; markers without a block: ${unknown.join(', ') || 'none'}`,
    );
  }
  let text = markdown;
  for (const [name, block] of Object.entries(blocks)) {
    const from = text.indexOf(begin(name));
    const to = text.indexOf(end(name), from);
    if (from < 0 || to < 0) throw new Error(`docs: the markers of "${name}" are missing or out of order`);
    text = `${text.slice(0, from)}${begin(name)}\n${block}\n${text.slice(to)}`;
  }
  return text;
}
