// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package and by function, and total
// (inclusive) time of chosen functions, over the samples taken after `--skip-s` seconds (start-up and
// seeding are then left out). Usage: node bench/profile/summary.mjs <file.cpuprofile> [--skip-s 10] [--top 40]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const skipUs = opt('--skip-s', 0) * 1e6;
const top = opt('--top', 40);

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
let t = profile.startTime;
let total = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  if (t - profile.startTime < skipUs) return;
  const dt = profile.timeDeltas[i];
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

function where(n) {
  const url = n.callFrame.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/src/')) return 'app:' + url.split('/dist/src/')[1].split('/').slice(0, -1).join('/');
  if (url.startsWith('node:')) return url;
  if (!url) return `(${n.callFrame.functionName || 'native'})`;
  return url.split('/').slice(-2).join('/');
}

const byPackage = new Map();
const byFunction = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  const pkg = where(n);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${pkg}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

const pct = (us) => ((us / total) * 100).toFixed(1).padStart(5) + ' %';
console.log(`${file}: ${(total / 1e6).toFixed(2)} s of samples after ${skipUs / 1e6} s`);
console.log('\nself time by package');
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k);
console.log('\nself time by function');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k);

// Inclusive time of functions whose name matches --match (a regular expression), counted once per sample.
const matchIndex = args.indexOf('--match');
if (matchIndex >= 0) {
  const re = new RegExp(args[matchIndex + 1]);
  const inclusive = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = nodes.get(cur);
      const key = `${n.callFrame.functionName} ${where(n)}`;
      if (re.test(key) && !seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      }
    }
  }
  console.log(`\ninclusive time of /${re.source}/`);
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), k);
}
