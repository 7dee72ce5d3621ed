// `npm start`: refuses a Node.js that package.json's engines does not allow, before compiling or loading
// anything; compiles only when a source is newer than the last build (then `tsc -b`, which is
// incremental), and runs the application in this same process with V8's compile cache, so a start on a
// current build spends its time starting the app, not the compiler.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { refuseUnsupportedNode } from './node-version.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
refuseUnsupportedNode(join(root, 'package.json'));
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const entry = join(root, 'dist', 'main.js');

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

function stale() {
  if (!existsSync(buildInfo) || !existsSync(entry)) return true;
  const built = statSync(buildInfo).mtimeMs;
  return ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'].some((p) => newestChange(join(root, p)) > built);
}

if (stale()) {
  for (const args of [
    [join(root, 'node_modules/typescript/bin/tsc'), '-b', join(root, 'tsconfig.build.json')],
    [join(root, 'scripts/write-entry.mjs')],
    [join(root, 'scripts/copy-assets.mjs')],
  ]) {
    const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
  }
}
module.enableCompileCache?.(join(root, '.tmp', 'compile-cache'));
await import(pathToFileURL(entry).href);
