import type { Env } from './settings.source.js';
import { readTopology, type ModuleDescriptor } from './topology.js';
import { ConfigError } from './settings.readers.js';

/** The variables a process shape sets on top of the deployment's shared environment. */
export type Shape = Record<string, string>;

/**
 * How to move one module out of the running monoliths into replicas of its own, and back, with no
 * request lost: every process keeps the deployment's shared environment and differs by these shapes.
 * - `monolith`: what the monoliths run now (every module, the API);
 * - `replica`: a process of the module alone, on NATS;
 * - `rest`: a monolith without the module, reaching it (and what it calls) over NATS.
 */
export interface MovePlan {
  module: string;
  /** Modules whose transport becomes nats: the module, and the modules it calls (still hosted by the monoliths). */
  onNats: string[];
  monolith: Shape;
  replica: Shape;
  rest: Shape;
}

/**
 * The move of `module` from the current environment (the monoliths': every module hosted, transports
 * local), checked: each shape must be a topology the application accepts, and the data must be on
 * PostgreSQL, which processes of both shapes share while the move runs.
 */
export function planMove(env: Env, modules: readonly ModuleDescriptor[], module: string): MovePlan {
  const descriptor = modules.find((m) => m.name === module);
  if (!descriptor) throw new ConfigError('module', `"${module}" is unknown; known: ${modules.map((m) => m.name).join(', ')}`);
  const all = modules.map((m) => m.name);
  const onNats = [module, ...descriptor.calls];
  const transports = Object.fromEntries(onNats.map((m) => [`${m.toUpperCase()}_TRANSPORT`, 'nats']));
  const plan: MovePlan = {
    module,
    onNats,
    monolith: {
      ...Object.fromEntries(onNats.map((m) => [`${m.toUpperCase()}_TRANSPORT`, env[`${m.toUpperCase()}_TRANSPORT`]?.trim() || 'local'])),
      MODULES: all.join(','),
      API: 'true',
    },
    replica: { ...transports, MODULES: module, API: 'false' },
    rest: { ...transports, MODULES: all.filter((m) => m !== module).join(','), API: 'true' },
  };
  for (const [name, shape] of Object.entries({ monolith: plan.monolith, replica: plan.replica, rest: plan.rest })) {
    const topology = readTopology({ ...env, ...shape }, modules);
    for (const hosted of topology.hosted) {
      if (!topology.modules[hosted].databaseUrl) {
        throw new ConfigError(
          `${hosted.toUpperCase()}_DATABASE_URL`,
          `(or DATABASE_URL) is unset in the ${name} shape: processes of two shapes share ` +
            'the data while a module moves, which the embedded database cannot do; copy it to PostgreSQL first (npm run db:copy -- ' +
            '--to <url>)',
        );
      }
    }
  }
  return plan;
}

const assignments = (shape: Shape) =>
  Object.entries(shape)
    .map(([k, v]) => `${k}=${v === '' ? "''" : v}`)
    .join(' ');

/** The move as a runbook: one command or check per step, out and back. */
export function describeMove(plan: MovePlan, replicas: number): string {
  const m = plan.module;
  const lines = [
    `Moving ${m} out of the monoliths into ${replicas} replicas on NATS, and back. Every process keeps the`,
    `deployment's environment (DATABASE_URL, NATS_URL, JWT_SECRET...) and adds the variables below; a load`,
    `balancer sends requests only to processes whose GET /health/ready answers 200.`,
    '',
    'Out:',
    `  1. Start the replicas (the monoliths still host ${m}; the replicas join its queue group and wait):`,
    ...Array.from({ length: replicas }, (_, i) => `       ${assignments({ ...plan.replica, PORT: `<port ${i + 1}>` })} node dist/main.js`),
    '     and wait until each answers 200 on /health/ready.',
    '  2. For each monolith, one at a time:',
    '     a. send it SIGTERM: /health/ready turns 503 at once, it serves on for SHUTDOWN_READINESS_DELAY_MS while the',
    '        balancer takes it out, then finishes what it accepted and exits 0;',
    `     b. start it again as: ${assignments(plan.rest)} node dist/main.js`,
    '     c. wait until /health/ready answers 200 and the balancer sends it requests again.',
    '',
    'Back:',
    '  1. For each monolith, one at a time, steps 2a-2c with:',
    `       ${assignments(plan.monolith)} node dist/main.js`,
    '  2. Stop the replicas (SIGTERM): each finishes what it took and leaves the queue group.',
  ];
  return lines.join('\n');
}
