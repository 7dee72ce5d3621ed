import type { LoadResult } from './load.js';

/** One case measured once: one system, one route, one round. */
export interface Measurement extends LoadResult {
  system: string;
  route: string;
  op: 'GET' | 'POST';
  round: number;
  cpuMsPerReq: number;
}

/** A case over every round: the median of each figure, and the spread of CPU per request. */
export interface CaseSummary {
  name: string;
  system: string;
  route: string;
  op: 'GET' | 'POST';
  rounds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerReq: number;
  cpuMin: number;
  cpuMax: number;
  failed: number;
}

export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One summary per case, in the order the cases were first measured. */
export function summarise(measurements: Measurement[]): CaseSummary[] {
  const byCase = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const name = `${m.system} ${m.route}`;
    byCase.set(name, [...(byCase.get(name) ?? []), m]);
  }
  return [...byCase].map(([name, ms]) => {
    const cpu = ms.map((m) => m.cpuMsPerReq).filter(Number.isFinite);
    return {
      name,
      system: ms[0].system,
      route: ms[0].route,
      op: ms[0].op,
      rounds: ms.length,
      reqPerSec: median(ms.map((m) => m.reqPerSec)),
      p50Ms: median(ms.map((m) => m.p50Ms)),
      p99Ms: median(ms.map((m) => m.p99Ms)),
      cpuMsPerReq: median(cpu),
      cpuMin: cpu.length ? Math.min(...cpu) : NaN,
      cpuMax: cpu.length ? Math.max(...cpu) : NaN,
      failed: ms.reduce((sum, m) => sum + m.failed, 0),
    };
  });
}

export const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const ratio = (v: number, ref: number | undefined, digits = 2) => (ref === undefined ? '-' : `${fmt(v / ref, digits)}x`);
const percent = (v: number, ref: number | undefined) => (ref === undefined ? '-' : `${fmt((v / ref) * 100, 1)} %`);

/**
 * The main table: every case with its medians, the CPU spread over rounds, and its ratios to the plain
 * NestJS reference's same route (any system serving the monolith's API) and to the bare server's same
 * operation.
 */
export function printCases(cases: CaseSummary[], plainSystem: string, bareSystem: string): void {
  const plain = new Map(cases.filter((c) => c.system === plainSystem).map((c) => [c.route, c]));
  const bare = new Map(cases.filter((c) => c.system === bareSystem).map((c) => [c.op, c]));
  console.log(
    '| case | rounds | req/s | p50 ms | p99 ms | CPU ms/req | CPU min-max | req/s vs plain | p99 vs plain | CPU vs plain | ' +
      'CPU vs bare | failed |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of cases) {
    const p = c.system === bareSystem ? undefined : plain.get(c.route);
    const b = bare.get(c.op);
    console.log(
      `| ${c.name} | ${c.rounds} | ${fmt(c.reqPerSec)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${fmt(c.cpuMsPerReq, 3)} | ` +
        `${fmt(c.cpuMin, 3)}-${fmt(c.cpuMax, 3)} | ${percent(c.reqPerSec, p?.reqPerSec)} | ${ratio(c.p99Ms, p?.p99Ms, 1)} | ` +
        `${ratio(c.cpuMsPerReq, p?.cpuMsPerReq)} | ${ratio(c.cpuMsPerReq, b?.cpuMsPerReq)} | ${c.failed} |`,
    );
  }
}

/** The targets for the monolith against the plain NestJS reference. */
export const TARGETS = { cpuRatioMax: 1.15, reqPerSecShareMin: 0.85, p99RatioMax: 1.5 };

/**
 * The CPU target's verdict. A run's ratio of medians can pass by chance when the plain reference had a
 * slow round or two (a run printed 0.98x PASS for a route whose own rounds reached 1.40x), so a PASS
 * needs the median of the same round's ratios to hold the target too; where the two disagree the run
 * has not settled the question either way.
 */
export function cpuVerdict(ratioOfMedians: number, medianWithinRounds: number): 'PASS' | 'MISS' | 'UNSETTLED' {
  const max = TARGETS.cpuRatioMax;
  if (ratioOfMedians <= max && medianWithinRounds <= max) return 'PASS';
  if (ratioOfMedians > max && medianWithinRounds > max) return 'MISS';
  return 'UNSETTLED';
}

/** One line per route of `system`: each target, the figure and its verdict. */
export function printTargets(cases: CaseSummary[], measurements: Measurement[], system: string, plainSystem: string): void {
  for (const c of cases.filter((x) => x.system === system)) {
    const p = cases.find((x) => x.system === plainSystem && x.route === c.route);
    if (!p) continue;
    const cpu = c.cpuMsPerReq / p.cpuMsPerReq;
    const share = c.reqPerSec / p.reqPerSec;
    const p99 = c.p99Ms / p.p99Ms;
    const paired = pairedCpuRatios(measurements, c.route, system, plainSystem);
    const withinRounds = median(paired);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    console.log(
      `${c.name} against ${p.name} (medians): ` +
        `CPU/req ${fmt(c.cpuMsPerReq, 3)} vs ${fmt(p.cpuMsPerReq, 3)} ms = ${fmt(cpu, 2)}x, ` +
        `the same round's ratios: median ${fmt(withinRounds, 2)}x, ${fmt(Math.min(...paired), 2)}-${fmt(Math.max(...paired), 2)}x ` +
        `(target <= ${TARGETS.cpuRatioMax}x for both) ${cpuVerdict(cpu, withinRounds)}; ` +
        `req/s ${fmt(c.reqPerSec)} vs ${fmt(p.reqPerSec)} = ${fmt(share * 100, 1)} % (target >= ${TARGETS.reqPerSecShareMin * 100} %) ` +
        `${verdict(share >= TARGETS.reqPerSecShareMin)}; ` +
        `p99 ${fmt(c.p99Ms)} vs ${fmt(p.p99Ms)} ms = ${fmt(p99, 2)}x (target <= ${TARGETS.p99RatioMax}x) ` +
        verdict(p99 <= TARGETS.p99RatioMax),
    );
  }
}

/**
 * CPU per request of `system` over the plain reference's, route by route, within each round: the two
 * run back to back (next to each other in both orders), so a change of the machine's speed between
 * rounds, which moves both, drops out of each ratio.
 */
function pairedCpuRatios(measurements: Measurement[], route: string, system: string, plainSystem: string): number[] {
  const of = (name: string, round: number) => measurements.find((m) => m.system === name && m.route === route && m.round === round);
  return measurements
    .filter((m) => m.system === system && m.route === route)
    .map((m) => m.cpuMsPerReq / (of(plainSystem, m.round)?.cpuMsPerReq ?? NaN))
    .filter(Number.isFinite);
}

/** A layer the monolith can run without, and the system name its measurements carry. */
export interface Layer {
  layer: string;
  variable: string;
  system: string;
}

/** CPU per request with everything on (`fullSystem`) and with each layer off, per route. */
export function printLayers(cases: CaseSummary[], fullSystem: string, layers: Layer[], reference?: string): void {
  console.log('| layer | switch | route | CPU ms/req full | without it | difference ms | difference % |');
  console.log('|---|---|---|---:|---:|---:|---:|');
  const rows = layers.map((l) => ({ layer: l.layer, without: `${l.variable}=false`, system: l.system }));
  // The boundary has no switch: "without it" is the plain reference, the same HTTP side with no bus and no core.
  if (reference) rows.push({ layer: 'module boundary (in-process hop and the core)', without: `none: ${reference}`, system: reference });
  for (const { layer, without, system } of rows) {
    for (const c of cases.filter((x) => x.system === system)) {
      const full = cases.find((x) => x.system === fullSystem && x.route === c.route);
      if (!full) continue;
      const diff = full.cpuMsPerReq - c.cpuMsPerReq;
      console.log(
        `| ${layer} | ${without} | ${c.route} | ${fmt(full.cpuMsPerReq, 3)} | ${fmt(c.cpuMsPerReq, 3)} | ` +
          `${fmt(diff, 3)} | ${fmt((diff / full.cpuMsPerReq) * 100, 1)} % |`,
      );
    }
  }
}
