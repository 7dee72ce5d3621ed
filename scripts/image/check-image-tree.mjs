// Checks a mounted runtime image tree: at most 250 MB of files, no npm, no Node headers, and native
// addons only for linux-x64 with glibc (ELF, x86-64, no musl builds). Prints the tree's size.
import { lstatSync, openSync, readSync, closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT_BYTES = 250 * 1000 * 1000;
const root = process.argv[2];
if (!root) throw new Error('usage: check-image-tree.mjs <mounted image root>');

let bytes = 0;
const problems = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const inImage = path.slice(root.length);
    if (['/proc', '/sys', '/dev'].includes(inImage)) continue;
    if (entry.isDirectory()) {
      if (entry.name === 'npm' && dir.endsWith('node_modules')) problems.push(`npm is installed at ${inImage}`);
      if (inImage.endsWith('/include/node')) problems.push(`Node headers at ${inImage}`);
      walk(path);
    } else if (entry.isFile()) {
      bytes += lstatSync(path).size;
      if (/\.(node|dll|dylib|exe)$/.test(entry.name)) checkNative(path, inImage);
      if (entry.name === 'npm-cli.js') problems.push(`npm at ${inImage}`);
    }
  }
};

function checkNative(path, inImage) {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  const elf = header.readUInt32BE(0) === 0x7f454c46;
  const x8664 = elf && header.readUInt16LE(18) === 62;
  if (!x8664 || /musl|alpine/i.test(inImage)) problems.push(`native binary not for linux-x64 glibc: ${inImage}`);
}

walk(root);
console.log(`image tree: ${(bytes / 1e6).toFixed(1)} MB in files (limit ${LIMIT_BYTES / 1e6} MB)`);
if (bytes > LIMIT_BYTES) problems.push(`the image holds ${(bytes / 1e6).toFixed(1)} MB, over ${LIMIT_BYTES / 1e6} MB`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
