import type { Catalogue } from './catalogue.js';

/**
 * The module map as a Mermaid flowchart: one node per module listing the operations it offers, a solid
 * arrow per operation a module calls, a dotted arrow per event from its producer to each consumer.
 */
export function moduleMapDiagram(catalogue: Catalogue): string {
  const lines = ['flowchart LR'];
  for (const m of catalogue.modules) {
    const operations = m.operations.map((o) => o.pattern).join('<br/>');
    lines.push(`  ${m.name}["${m.name}<br/>${operations}"]`);
  }
  for (const m of catalogue.modules) {
    for (const operation of m.uses) lines.push(`  ${m.name} -- "${operation.pattern}" --> ${operation.module}`);
  }
  for (const { event, consumers } of catalogue.events) {
    for (const consumer of consumers) lines.push(`  ${event.producer} -. "${event.name}" .-> ${consumer}`);
  }
  return lines.join('\n');
}

const code = (text: string) => `\`${text}\``;
const list = (items: readonly string[]) => (items.length ? items.map(code).join(', ') : 'none');

/** docs/modules.md: the diagram, then each module's operations, calls, events and transports. */
export function moduleMapMarkdown(catalogue: Catalogue): string {
  const sections = catalogue.modules.map((m) =>
    [
      `## ${m.name}`,
      '',
      '| offers | what it does | idempotent |',
      '|---|---|---|',
      ...m.operations.map(
        (o) =>
          `| ${code(o.pattern)} | ${o.summary} | ` +
          `${typeof o.idempotent === 'boolean' ? (o.idempotent ? 'yes' : 'no') : `when it carries \`${o.idempotent.key}\``} |`,
      ),
      '',
      `- **calls:** ${list(m.uses.map((o) => o.pattern))}`,
      `- **publishes:** ${list(m.publishes.map((e) => e.name))}`,
      `- **consumes:** ${list(m.subscribes)}`,
      `- **runs on:** ${m.transports.map(code).join(', ')} (\`${m.name.toUpperCase()}_TRANSPORT\`)`,
    ].join('\n'),
  );
  return [
    '# Module map',
    '',
    "<!-- Generated from the modules' declarations by `npm run modules:map`; `npm run docs:check` fails when it is stale. -->",
    '',
    'Each module with the operations it offers; a solid arrow is a request/reply call (labelled with its',
    'pattern), a dotted arrow an event from its producer to a consumer. The running application serves this',
    "page at `/docs/modules`. Every operation and event is declared once, in its module's `contracts/`",
    '(see [contracts.md](contracts.md)).',
    '',
    '```mermaid',
    moduleMapDiagram(catalogue),
    '```',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The page the application serves at /docs/modules: the same diagram, drawn in the browser by the
 * Mermaid script served beside it (no CDN), and the same facts as lists.
 */
export function moduleMapHtml(catalogue: Catalogue, assets: { mermaid: string; start: string }): string {
  const modules = catalogue.modules
    .map(
      (m) => `
    <section id="module-${m.name}">
      <h2>${m.name}</h2>
      <ul>
        ${m.operations.map((o) => `<li><code>${o.pattern}</code>: ${escapeHtml(o.summary)}</li>`).join('\n        ')}
      </ul>
      <p><b>calls:</b> ${escapeHtml(m.uses.map((o) => o.pattern).join(', ') || 'none')};
        <b>publishes:</b> ${escapeHtml(m.publishes.map((e) => e.name).join(', ') || 'none')};
        <b>consumes:</b> ${escapeHtml(m.subscribes.join(', ') || 'none')};
        <b>runs on:</b> ${escapeHtml(m.transports.join(', '))}</p>
    </section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Module map</title>
  <style>body { font-family: sans-serif; margin: 2rem; max-width: 72rem; } code { font-size: 0.9em; }</style>
</head>
<body>
  <h1>Module map</h1>
  <p>Solid arrows: request/reply calls. Dotted arrows: events, from producer to consumer. <a href="/docs">API documentation</a>.</p>
  <pre class="mermaid" id="module-map">${escapeHtml(moduleMapDiagram(catalogue))}</pre>
  ${modules}
  <script src="${assets.mermaid}"></script>
  <script src="${assets.start}"></script>
</body>
</html>
`;
}

/** Draws the diagram once the page has loaded; a separate file, so the page needs no inline script. */
export const MODULE_MAP_START_SCRIPT = `mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
mermaid.run({ querySelector: '#module-map' }).then(
  () => document.body.setAttribute('data-diagram', 'rendered'),
  (err) => document.body.setAttribute('data-diagram', 'failed: ' + err),
);
`;
