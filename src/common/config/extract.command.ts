import type { ModuleDescriptor } from './topology.js';
import { ConfigError } from './settings.readers.js';
import type { Env } from './settings.source.js';
import { describeMove, planMove } from './move.plan.js';

const USAGE = 'usage: extract <module> [--replicas <n>] [--json]';

/**
 * `extract <module>`: prints how to move the module out of the running monoliths into replicas on NATS
 * and back, step by step, for this deployment's environment, after checking that every shape of the
 * move is a topology the application accepts (`--json`: the shapes, for a script to drive the move).
 */
export async function extractCommand(
  env: Env,
  args: string[],
  modules: readonly ModuleDescriptor[],
  out = process.stdout,
): Promise<number> {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const [module, flag, count, ...extra] = rest;
  const replicas = flag === '--replicas' ? Number(count) : 2;
  if (!module || (flag !== undefined && flag !== '--replicas') || !Number.isInteger(replicas) || replicas < 1 || extra.length) {
    out.write(`${USAGE}\n`);
    return 64;
  }
  try {
    const plan = planMove(env, modules, module);
    out.write(json ? `${JSON.stringify({ ...plan, replicas }, null, 2)}\n` : `${describeMove(plan, replicas)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.write(`extract refused: ${err.message}\n`);
    return 78;
  }
}
