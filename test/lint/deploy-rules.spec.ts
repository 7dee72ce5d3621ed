import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/app-process.js';

/**
 * The deployment rules of `npm run validate:deploy` on planted violations: each is caught and named,
 * and the committed files pass.
 */
function validate(plant?: (dir: string) => void): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mm-deploy-'));
  try {
    for (const path of ['README.md', 'compose.yaml', 'deploy', 'Dockerfile', 'package.json'])
      cpSync(join(PROJECT_ROOT, path), join(dir, path), { recursive: true });
    plant?.(dir);
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'validate-deploy.mjs')], {
      env: { ...process.env, DEPLOY_ROOT: dir },
      encoding: 'utf8',
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const edit = (dir: string, file: string, change: (text: string) => string) => {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the plant did not change ${file}`);
  writeFileSync(path, after);
};

describe('deployment rules (validate:deploy)', () => {
  it('passes the committed compose file and overlays', () => {
    const { status, output } = validate();
    expect(output).toContain('compose.yaml profile split');
    expect(status).toBe(0);
  });

  it.each([
    [
      'a module with replicas on Redis',
      'compose.yaml',
      (t: string) => t.replace('  USERS_TRANSPORT: nats', '  USERS_TRANSPORT: redis'),
      /users \(profile split\) runs 3 replicas hosting users, whose transport is redis: only nats/,
    ],
    [
      'NATS not set in the containers',
      'compose.yaml',
      (t: string) => t.replace('  NATS_URL: nats://nats:4222\n', ''),
      /uses USERS_NATS_URL without setting it/,
    ],
    [
      "a broker at the container's own address",
      'deploy/k8s/overlays/split/topology.configmap.yaml',
      (t: string) => t.replace('nats://nats:4222', 'nats://127.0.0.1:4222'),
      /NATS_URL points at 127\.0\.0\.1, the container itself/,
    ],
    [
      'a broker no service of the deployment provides',
      'deploy/k8s/overlays/split/topology.configmap.yaml',
      (t: string) => t.replace('redis://redis:6379', 'redis://cache:6379'),
      /REDIS_URL names cache, which is no service of this deployment/,
    ],
    [
      'two gateways counting limits each in its own memory',
      'deploy/k8s/overlays/split/topology.configmap.yaml',
      (t: string) => t.replace('RATE_LIMIT_STORE: redis', 'RATE_LIMIT_STORE: memory'),
      /gateway runs 2 gateways with RATE_LIMIT_STORE=memory/,
    ],
  ])('refuses %s', (_what, file, change, message) => {
    const { status, output } = validate((dir) => edit(dir, file, change));
    expect(status).toBe(1);
    expect(output).toMatch(message);
  });
});
