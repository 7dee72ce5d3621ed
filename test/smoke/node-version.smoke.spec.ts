import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../support/app-process.js';

/**
 * The entry points refuse a Node.js that package.json's `engines` does not allow, before anything native
 * loads: argon2's addon, installed for Node 24, kills an older Node with a segmentation fault and no word
 * of why. Run for real with an older Node (OLD_NODE, default /usr/bin/node, the machine's own).
 */
const REQUIRED: string = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).engines.node;
const PINNED = readFileSync(join(PROJECT_ROOT, '.node-version'), 'utf8').trim();
const OLD_NODE = process.env.OLD_NODE ?? '/usr/bin/node';
const UNSUPPORTED_NODE = 78;
const START_SCRIPT: string = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts.start;

const versionOf = (node: string) => (existsSync(node) ? spawnSync(node, ['-v'], { encoding: 'utf8' }).stdout?.trim() : undefined);
const oldVersion = versionOf(OLD_NODE);
const check = (await import(pathToFileURL(join(PROJECT_ROOT, 'scripts', 'node-version.mjs')).href)) as {
  satisfies(version: string, range: string): boolean;
};
const oldNodeUsable = oldVersion !== undefined && !check.satisfies(oldVersion.slice(1), REQUIRED);
if (!oldNodeUsable) {
  const reason = `no unsupported Node.js at ${OLD_NODE} (${oldVersion ?? 'missing'}); set OLD_NODE to one`;
  if (process.env.CI === 'true') throw new Error(`The Node version check cannot be tested: ${reason}`);
  process.stderr.write(`\nSkipping the runs on an old Node.js: ${reason}\n\n`);
}
const withOldNode = oldNodeUsable ? it : it.skip;

/** The environment of a run: nothing of the test runner's, so only the Node chosen here is on PATH. */
const env = (path: string) => ({ PATH: path, HOME: process.env.HOME ?? '/tmp', DATA_DIR: mkdtempSync(join(tmpdir(), 'mm-node-version-')) });

function run(command: string, args: string[], path: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: PROJECT_ROOT, env: env(path), encoding: 'utf8', timeout: 60_000 });
}

/** What every refusal says: the running version, the required range, and how to get the pinned Node. */
function expectRefusal(result: SpawnSyncReturns<string>, running: string): void {
  expect({ status: result.status, signal: result.signal }).toEqual({ status: UNSUPPORTED_NODE, signal: null });
  expect(result.stderr).toContain(`Node.js ${running}`);
  expect(result.stderr).toContain(`Node.js ${REQUIRED}`);
  expect(result.stderr).toContain(`.node-version: ${PINNED}`);
  expect(result.stderr).toContain('export PATH="$(scripts/node-toolchain.sh):$PATH"');
  expect(result.stderr).not.toMatch(/segmentation|Error:|at .*\.js:\d+/i);
}

describe('the entry points on a Node.js that engines does not allow', () => {
  withOldNode(`node dist/main.js on ${OLD_NODE} exits ${UNSUPPORTED_NODE} naming both versions and the pinned one`, () => {
    const result = run(OLD_NODE, ['dist/main.js'], '/usr/bin:/bin');
    expectRefusal(result, oldVersion!);
    expect(result.stdout).toBe('');
  });

  withOldNode('npm start, with that Node first on PATH, exits non-zero with the same message from scripts/start.mjs', () => {
    const args = START_SCRIPT.split(' ');
    expect(args[0]).toBe('node');
    const direct = run(OLD_NODE, args.slice(1), '/usr/bin:/bin');
    expectRefusal(direct, oldVersion!);
    const npm = join(OLD_NODE, '..', 'npm');
    if (!existsSync(npm)) return;
    const viaNpm = run(npm, ['start', '--silent'], `${join(OLD_NODE, '..')}:/usr/bin:/bin`);
    expect(viaNpm.status).toBe(UNSUPPORTED_NODE);
    expect(viaNpm.stderr).toContain(`Node.js ${oldVersion}`);
    expect(viaNpm.stderr).not.toMatch(/segmentation/i);
  });

  it('checks before the application is imported at all: the built entry point against an engines range no Node meets', () => {
    const root = mkdtempSync(join(tmpdir(), 'mm-entry-'));
    try {
      mkdirSync(join(root, 'dist', 'src', 'common', 'observability'), { recursive: true });
      copyFileSync(join(PROJECT_ROOT, 'dist', 'main.js'), join(root, 'dist', 'main.js'));
      copyFileSync(join(PROJECT_ROOT, 'dist', 'node-version.js'), join(root, 'dist', 'node-version.js'));
      writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', engines: { node: '>=999' } }));
      writeFileSync(join(root, '.node-version'), `${PINNED}\n`);
      // Stand-ins for the application: any of them loaded would print.
      writeFileSync(join(root, 'dist', 'src', 'main.js'), "console.log('application loaded');\n");
      writeFileSync(join(root, 'dist', 'src', 'common', 'observability', 'tracing.preload.js'), "console.log('tracing loaded');\n");
      const result = spawnSync(process.execPath, [join(root, 'dist', 'main.js')], { encoding: 'utf8' });
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: UNSUPPORTED_NODE, stdout: '' });
      expect(result.stderr).toContain(`Node.js ${process.version}`);
      expect(result.stderr).toContain('Node.js >=999');

      writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', engines: { node: REQUIRED } }));
      const allowed = spawnSync(process.execPath, [join(root, 'dist', 'main.js')], { encoding: 'utf8' });
      expect({ status: allowed.status, stdout: allowed.stdout, stderr: allowed.stderr }).toEqual({
        status: 0,
        stdout: 'tracing loaded\napplication loaded\n',
        stderr: '',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each([
    ['24.11.0', '>=24.11', true],
    ['24.21.0', '>=24.11', true],
    ['25.0.0', '>=24.11', true],
    ['24.10.9', '>=24.11', false],
    ['20.20.2', '>=24.11', false],
    ['24.11.0', '>=24.11 <25', true],
    ['25.1.0', '>=24.11 <25', false],
    ['22.12.0', '^20.19.0 || >=22.12', true],
    ['20.19.1', '^20.19.0 || >=22.12', true],
    ['21.0.0', '^20.19.0 || >=22.12', false],
    ['24.0.0', '>23', true],
    ['23.9.0', '>23', false],
    ['24.11.5', '<=24.11', true],
    ['24.12.0', '<=24.11', false],
    ['24.3.1', '24', true],
    ['24.3.1', '24.x', true],
    ['25.0.0', '24.x', false],
    ['24.3.1', '~24.3.0', true],
    ['24.4.0', '~24.3.0', false],
  ])('reads Node %s as satisfying %s: %s', (version, range, expected) => {
    expect(check.satisfies(version, range)).toBe(expected);
  });

  it('refuses to guess at a range it cannot read', () => {
    expect(() => check.satisfies('24.11.0', '>=24.11 && <25')).toThrow(/engines/);
  });
});
