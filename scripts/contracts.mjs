// The contracts as data, from the built application (`npm run build` first; the npm scripts do it):
//   modules:map         writes docs/modules.md (the module map, with its Mermaid diagram)
//   contracts:docs      fills the generated tables of docs/contracts.md
//   docs:check          exits 1, naming the file and the first differing line, if either is stale
// Everything is read from the modules' declarations (src/modules/<m>/contracts) through their definitions.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => import(new URL(`../dist/src/${path}`, import.meta.url).href);

const { MODULE_DEFINITIONS } = await dist('app.modules.js');
const { catalogueOf } = await dist('common/contracts/catalogue.js');
const { moduleMapMarkdown } = await dist('common/contracts/module-map.render.js');
const { contractTables, fillGenerated } = await dist('common/contracts/contract-tables.render.js');

const catalogue = catalogueOf(MODULE_DEFINITIONS);
const MODULE_MAP = `${root}docs/modules.md`;
const CONTRACTS = `${root}docs/contracts.md`;

/** What each generated file should hold, from the declarations. */
const expected = () => ({
  [MODULE_MAP]: moduleMapMarkdown(catalogue),
  [CONTRACTS]: fillGenerated(readFileSync(CONTRACTS, 'utf8'), contractTables(catalogue)),
});

function firstDifference(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}:\n  committed: ${left[i] ?? '<end>'}\n  declared:  ${right[i] ?? '<end>'}`;
  }
  return '';
}

const command = process.argv[2];
if (command === 'modules:map' || command === 'contracts:docs') {
  const path = command === 'modules:map' ? MODULE_MAP : CONTRACTS;
  writeFileSync(path, expected()[path]);
  process.stdout.write(`wrote ${path}\n`);
} else if (command === 'docs:check') {
  let stale = 0;
  for (const [path, text] of Object.entries(expected())) {
    let committed = '';
    try {
      committed = readFileSync(path, 'utf8');
    } catch {}
    if (committed === text) continue;
    stale++;
    const fix = path === MODULE_MAP ? 'npm run modules:map' : 'npm run contracts:docs';
    process.stderr.write(`${path.slice(root.length)} differs from what the code declares: run \`${fix}\` and commit it.\n${firstDifference(committed, text)}\n`);
  }
  if (stale) process.exit(1);
  process.stdout.write('docs/modules.md and the tables of docs/contracts.md match the declarations.\n');
} else {
  process.stderr.write('usage: node scripts/contracts.mjs modules:map | contracts:docs | docs:check\n');
  process.exit(64);
}
