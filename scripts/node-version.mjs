// Refuses a Node.js that package.json's `engines.node` does not allow, before anything else loads: a
// native addon installed for another Node.js (argon2's) kills the process with a segmentation fault and
// no word of why. `npm start` (scripts/start.mjs) runs it first; the build copies it to dist/ beside the
// entry point it writes (scripts/write-entry.mjs), which runs it before importing the application.
// Node built-ins only and plain syntax, so that an old Node.js can run it to say so.
import { existsSync, readFileSync } from 'node:fs';

/** The exit code of a refusal: a configuration error (EX_CONFIG), as a bad setting stops the process. */
export const UNSUPPORTED_NODE_EXIT_CODE = 78;

/**
 * Exits with a message naming the running and the required version, and how to get the pinned one,
 * when the running Node.js does not satisfy `engines.node` of the package.json at `packageJson` (a URL
 * or path); `.node-version` beside it, if present, names the pinned version.
 */
export function refuseUnsupportedNode(packageJson) {
  const required = JSON.parse(readFileSync(packageJson, 'utf8')).engines?.node;
  if (!required || satisfies(process.versions.node, required)) return;
  const pinnedFile = new URL('.node-version', new URL(packageJson, 'file:///'));
  const pinned = existsSync(pinnedFile) ? readFileSync(pinnedFile, 'utf8').trim() : undefined;
  process.stderr.write(
    `Node.js ${process.version} (${process.execPath}) cannot run this application: it requires Node.js ${required} (package.json ` +
      `"engines").\n` +
      'It stops before loading anything: native modules (argon2) installed for a supported Node.js crash this one.\n' +
      `Use the pinned version (${pinned ? `.node-version: ${pinned}` : '.node-version in the source tree'}): ` +
      'export PATH="$(scripts/node-toolchain.sh):$PATH" installs it into .tools/ and puts it first on PATH; then start again.\n',
  );
  process.exit(UNSUPPORTED_NODE_EXIT_CODE);
}

/**
 * Whether a version (`24.11.0`) satisfies an engines range: comparator sets joined by `||`, each a
 * space-separated list of `>=`, `>`, `<=`, `<` or `=` comparators, caret (`^20.19.0`), tilde (`~24.3.0`)
 * or partial versions (`24`, `24.x`). Anything else throws rather than guess.
 */
export function satisfies(version, range) {
  const have = parse(version, range);
  return range.split('||').some((set) => {
    const comparators = set.trim().split(/\s+/).filter(Boolean);
    if (!comparators.length) throw unreadable(range);
    return comparators.every((comparator) => bounds(comparator, range).every(([op, bound]) => holds(compare(have, bound), op)));
  });
}

/** A comparator as the bounds a version must meet, each `[operator, [major, minor, patch]]`. */
function bounds(comparator, range) {
  const [, op, text] = /^(>=|<=|>|<|=|\^|~)?v?(.+)$/.exec(comparator) ?? [];
  const parts = text?.split('.') ?? [];
  if (parts.length > 3 || !parts.length || !parts.every((p, i) => /^\d+$/.test(p) || (i > 0 && /^[xX*]$/.test(p)))) throw unreadable(range);
  const given = parts.filter((p) => /^\d+$/.test(p)).map(Number);
  if (given.length < parts.length && parts.slice(given.length).some((p) => /^\d+$/.test(p))) throw unreadable(range);
  const low = [given[0], given[1] ?? 0, given[2] ?? 0];
  // The first version past a partial one: 24 -> 25.0.0, 24.11 -> 24.12.0.
  const next = (length) => (length === 1 ? [low[0] + 1, 0, 0] : length === 2 ? [low[0], low[1] + 1, 0] : [low[0], low[1], low[2] + 1]);
  switch (op) {
    case '>=':
      return [['>=', low]];
    case '<':
      return [['<', low]];
    case '>':
      return [['>=', next(given.length)]];
    case '<=':
      return [['<', next(given.length)]];
    case '^':
      return [
        ['>=', low],
        ['<', low[0] > 0 ? [low[0] + 1, 0, 0] : next(Math.min(given.length, 2))],
      ];
    case '~':
      return [
        ['>=', low],
        ['<', next(Math.min(given.length, 2))],
      ];
    default:
      return [
        ['>=', low],
        ['<', next(given.length)],
      ];
  }
}

function parse(version, range) {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!parts) throw new Error(`Not a Node.js version: ${version} (checking engines.node ${range})`);
  return parts.slice(1).map(Number);
}

const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const holds = (order, op) => (op === '>=' ? order >= 0 : order < 0);
const unreadable = (range) =>
  new Error(`package.json engines.node "${range}" is not a range this check reads (comparators such as >=24.11 <25, joined by ||)`);
