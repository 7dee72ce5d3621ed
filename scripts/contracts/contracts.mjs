// The contracts as data, read from the built application (`npm run build` first; the npm scripts do it):
//   modules:map         writes docs/modules.md (the module map, with its Mermaid diagram)
//   contracts:docs      fills the generated tables of docs/contracts.md
//   docs:check          exits 1, naming the file and the first differing line, if either is stale
//   contracts:baseline  writes contracts/baseline/ (messages.json, openapi.json): run at a release
//   contracts:check     exits 1, naming each change, if the message contracts, the events or openapi.json
//                       changed in a way that breaks a consumer deployed against the baseline
// Everything is read from the modules' declarations (src/modules/<m>/contracts) through their definitions.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiBreakingChanges } from './openapi-breaking.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = (path) => import(new URL(`../../dist/src/${path}`, import.meta.url).href);

const { MODULE_DEFINITIONS } = await dist('app.modules.js');
const { catalogueOf } = await dist('common/contracts/catalogue.js');
const { moduleMapMarkdown } = await dist('common/contracts/module-map.render.js');
const { contractTables, fillGenerated } = await dist('common/contracts/contract-tables.render.js');
const { contractSnapshot, messageClasses } = await dist('common/contracts/contract-snapshot.js');
const { messageSchemas } = await dist('common/contracts/message-schemas.js');
const { breakingChanges } = await dist('common/contracts/contract-compare.js');

const catalogue = catalogueOf(MODULE_DEFINITIONS);
const MODULE_MAP = `${root}docs/modules.md`;
const CONTRACTS = `${root}docs/contracts.md`;
const OPENAPI = `${root}openapi.json`;
const BASELINE = `${root}contracts/baseline/`;

/** JSON with sorted keys, so the same contracts always give the same bytes. */
const sortedKeys = (_key, v) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v;
const stableJson = (value) => `${JSON.stringify(value, sortedKeys, 2)}\n`;
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** What each generated file should hold, from the declarations. */
const expectedDocs = () => ({
  [MODULE_MAP]: moduleMapMarkdown(catalogue),
  [CONTRACTS]: fillGenerated(readFileSync(CONTRACTS, 'utf8'), contractTables(catalogue)),
});

async function currentSnapshot() {
  return contractSnapshot(catalogue, await messageSchemas(messageClasses(catalogue)));
}

function firstDifference(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}:\n  committed: ${left[i] ?? '<end>'}\n  declared:  ${right[i] ?? '<end>'}`;
  }
  return '';
}

const commands = {
  'modules:map': () => write(MODULE_MAP, expectedDocs()[MODULE_MAP]),
  'contracts:docs': () => write(CONTRACTS, expectedDocs()[CONTRACTS]),
  'docs:check': () => {
    let stale = 0;
    for (const [path, text] of Object.entries(expectedDocs())) {
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        // Not written yet: it differs from what the code declares, as any stale file does.
      }
      if (committed === text) continue;
      stale++;
      const fix = path === MODULE_MAP ? 'npm run modules:map' : 'npm run contracts:docs';
      process.stderr.write(
        `${path.slice(root.length)} differs from what the code declares: run \`${fix}\` and commit ` +
          `it.\n${firstDifference(committed, text)}\n`,
      );
    }
    if (stale) return 1;
    process.stdout.write('docs/modules.md and the tables of docs/contracts.md match the declarations.\n');
    return 0;
  },
  'contracts:baseline': async () => {
    mkdirSync(BASELINE, { recursive: true });
    write(`${BASELINE}messages.json`, stableJson(await currentSnapshot()));
    write(`${BASELINE}openapi.json`, readFileSync(OPENAPI, 'utf8'));
    return 0;
  },
  'contracts:check': async () => {
    const messages = breakingChanges(readJson(`${BASELINE}messages.json`), await currentSnapshot());
    const http = openApiBreakingChanges(readJson(`${BASELINE}openapi.json`), readJson(OPENAPI));
    const found = [...messages, ...http];
    if (found.length) {
      process.stderr.write(
        `${found.length} change(s) would break a consumer deployed against contracts/baseline/ (the last release):\n  ` +
          `${found.join('\n  ')}\n` +
          'Make the change compatible (add instead of changing or removing), or, for a release that breaks them on purpose, run `npm ' +
          'run contracts:baseline` and say so in its notes.\n',
      );
      return 1;
    }
    process.stdout.write('contracts:check: no breaking change against contracts/baseline/ (message contracts, events, openapi.json).\n');
    return 0;
  },
};

function write(path, text) {
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path.slice(root.length)}\n`);
  return 0;
}

const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write(`usage: node scripts/contracts/contracts.mjs ${Object.keys(commands).join(' | ')}\n`);
  process.exit(64);
}
process.exitCode = await command();
