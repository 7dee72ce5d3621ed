import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../support/app-process.js';

/**
 * The boundary rules of `npm run lint`, each shown to catch a violation planted in a small tree of the
 * project's shape, and to pass the same tree without it. (The real tree is checked by `npm run lint`.)
 */
type Tree = Record<string, string>;

function write(root: string, tree: Tree): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const CLEAN: Tree = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true },
    include: ['src'],
  }),
  'package.json': JSON.stringify({ type: 'module' }),
  'src/common/bus.ts': 'export const pattern = (module: string, verb: string) => `${module}.${verb}`; // e.g. alpha.get\n',
  'src/modules/alpha/contracts/alpha.client.ts':
    "import { pattern } from '../../../common/bus.js';\nexport const GET = pattern('alpha', 'get');\n",
  'src/modules/alpha/index.ts': "export * from './contracts/alpha.client.js';\n",
  'src/modules/alpha/alpha.service.ts': 'export class AlphaService {}\n',
  'src/modules/alpha/alpha.module.ts':
    "import { AlphaService } from './alpha.service.js';\nexport const alphaModule = { name: 'alpha', core: AlphaService };\n",
  'src/modules/beta/index.ts': 'export {};\n',
  'src/modules/beta/beta.service.ts': "import { GET } from '../alpha/index.js';\nexport const uses = GET;\n",
  'src/app.modules.ts': "import { alphaModule } from './modules/alpha/alpha.module.js';\nexport const MODULES = [alphaModule];\n",
  'src/common/config/settings.source.ts': 'export const environment = () => Object.freeze({ ...process.env });\n',
  'src/common/messaging/channel.ts': "import { environment } from '../config/settings.source.js';\nexport const env = environment;\n",
  'src/modules/alpha/alpha.settings.spec.ts': "process.env.ALPHA_LIMIT = '3';\n",
};

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mm-boundaries-'));
  write(root, CLEAN);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The names of the dependency-cruiser rules the tree breaks, with the offending file. */
function dependencyViolations(): string[] {
  const bin = join(PROJECT_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const out = execFileSync(
    process.execPath,
    [bin, 'src', '--config', join(PROJECT_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const result = JSON.parse(out) as { summary: { violations: Array<{ rule: { name: string }; from: string }> } };
  return result.summary.violations.map((v) => `${v.rule.name} ${v.from}`).sort();
}

type CheckCommon = { findings: (root: string) => string[]; environmentReads: (root: string) => string[] };
const checkCommon = async () => (await import(join(PROJECT_ROOT, 'scripts', 'check-common.mjs'))) as CheckCommon;

async function commonFindings(): Promise<string[]> {
  return (await checkCommon()).findings(root);
}

async function environmentReads(): Promise<string[]> {
  return (await checkCommon()).environmentReads(root);
}

describe('module boundary rules', () => {
  it('pass the clean tree', async () => {
    expect(dependencyViolations()).toEqual([]);
    expect(await commonFindings()).toEqual([]);
    expect(await environmentReads()).toEqual([]);
  });

  it('catch the process environment read outside src/common/config/settings.source.ts, however it is spelled (specs aside)', async () => {
    write(root, {
      'src/main.ts': '// process.env in a comment is no read\nexport const port = process.env.PORT;\n',
      'src/common/bus.ts': "import { env } from 'node:process';\nexport const host = env.HOST ?? globalThis.process['env'].HOST;\n",
      'src/modules/alpha/alpha.service.ts': 'const { env: vars } = process;\nexport class AlphaService { limit = vars.ALPHA_LIMIT; }\n',
    });
    expect((await environmentReads()).sort()).toEqual([
      "src/common/bus.ts:1: import { env } from 'node:process';",
      "src/common/bus.ts:2: globalThis.process['env']",
      'src/main.ts:2: process.env',
      'src/modules/alpha/alpha.service.ts:1: { env: vars } = process',
    ]);
  });

  it('catch src/common naming a module, one of its patterns or one of its settings (item 1)', async () => {
    write(root, {
      'src/common/identity.ts': [
        "export const AUTHORITY = 'alpha';",
        "export const VERIFY = 'alpha.verify';",
        'export const cache = (env: Record<string, string>) => env.BETA_CACHE_MS;',
        '// a comment may say alpha.verify',
      ].join('\n'),
    });
    expect(await commonFindings()).toEqual([
      'src/common/identity.ts:1: "alpha"',
      'src/common/identity.ts:2: "alpha.verify"',
      'src/common/identity.ts:3: "BETA_CACHE_MS"',
    ]);
  });

  it('catch an index.ts that exports more than its contracts (item 2)', () => {
    write(root, { 'src/modules/alpha/index.ts': "export * from './contracts/alpha.client.js';\nexport * from './alpha.module.js';\n" });
    expect(dependencyViolations()).toEqual(['index-exports-contracts-only src/modules/alpha/index.ts']);
  });

  it("catch code other than the composition root importing a module's internals (item 2)", () => {
    write(root, { 'src/main.ts': "import { alphaModule } from './modules/alpha/alpha.module.js';\nexport const m = alphaModule;\n" });
    expect(dependencyViolations()).toEqual(['outside-to-module-through-index src/main.ts']);
  });

  it("catch the composition root reaching past a module's Nest modules, and a module reaching into another", () => {
    write(root, {
      'src/app.modules.ts': "import { AlphaService } from './modules/alpha/alpha.service.js';\nexport const MODULES = [AlphaService];\n",
      'src/modules/beta/beta.service.ts': "import { AlphaService } from '../alpha/alpha.service.js';\nexport const uses = AlphaService;\n",
    });
    expect(dependencyViolations()).toEqual([
      'composition-root-takes-module-definitions src/app.modules.ts',
      'module-to-module-through-index src/modules/beta/beta.service.ts',
    ]);
  });
  it('catch a folder of src/common importing one above it or beside it in the layering, and a folder the layering lacks', () => {
    write(root, {
      'src/common/config/topology.ts': "import { channel } from '../messaging/bus.js';\nexport const topology = channel;\n",
      'src/common/messaging/bus.ts': 'export const channel = 1;\n',
      'src/common/http/problem.ts': "import { outbox } from '../events/outbox.js';\nexport const problem = outbox;\n",
      'src/common/events/outbox.ts': "import { channel } from '../messaging/bus.js';\nexport const outbox = channel;\n",
      'src/common/widgets/widget.ts': "import { channel } from '../messaging/bus.js';\nexport const widget = channel;\n",
    });
    expect(dependencyViolations()).toEqual([
      'common-folder-in-a-layer src/common/widgets/widget.ts',
      'common-imports-downwards src/common/config/topology.ts',
      'common-imports-downwards src/common/http/problem.ts',
    ]);
  });

  it('give src/common the layering its README states, for every folder it has', () => {
    type Rule = { name: string; from: { path: string }; to: { pathNot?: string } };
    const config = createRequire(import.meta.url)(join(PROJECT_ROOT, '.dependency-cruiser.cjs')) as { forbidden: Rule[] };
    const enforced = Object.fromEntries(
      config.forbidden
        .filter((rule) => rule.name === 'common-imports-downwards')
        .map((rule) => [/^\^src\/common\/([^/]+)\//.exec(rule.from.path)![1], /\(([^)]*)\)/.exec(rule.to.pathNot!)![1].split('|').sort()]),
    );
    const layers = readFileSync(join(PROJECT_ROOT, 'src', 'common', 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => /^\| \d+ \|/.test(line))
      .map((line) => [...line.split('|')[2].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]));
    const documented = Object.fromEntries(
      layers.flatMap((folders, i) => folders.map((f) => [f, [f, ...layers.slice(0, i).flat()].sort()])),
    );
    expect(enforced).toEqual(documented);
    const folders = readdirSync(join(PROJECT_ROOT, 'src', 'common'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(Object.keys(documented).sort()).toEqual(folders.sort());
  });
});
