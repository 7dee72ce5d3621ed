// Validates the Kubernetes manifests offline: each overlay's kustomization is resolved (resources:
// files and directories), every object is checked against the Kubernetes OpenAPI schema shipped by the
// kubernetes-models package, and against what this application needs of a deployment (probes, drain,
// security, documented settings only). compose.yaml is checked by dclint against the compose spec
// (npm run validate:deploy runs both). Exits 1 with one line per problem.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';

// DEPLOY_ROOT: check another copy of the files (the spec of these rules plants violations in one).
const root = process.env.DEPLOY_ROOT || fileURLToPath(new URL('..', import.meta.url));
const overlaysDir = join(root, 'deploy/k8s/overlays');
const MODELS = { 'apps/v1/Deployment': Deployment, 'v1/Service': Service, 'v1/ConfigMap': ConfigMap };
const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'labels', 'namespace', 'images']);
/** How long a stopping pod must keep serving while endpoints and proxies drop it (readiness delay, plus any preStop sleep). */
const LEAVE_SECONDS = 5;
const problems = [];
const fail = (where, message) => problems.push(`${relative(root, where)}: ${message}`);

/** The variables README's configuration table documents, with <MODULE> standing for any module. */
function documentedVariables() {
  const names = [];
  for (const line of readFileSync(join(root, 'README.md'), 'utf8').split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const [, name] of line.split('|')[1].matchAll(/`([A-Z_<>]+)`/g)) names.push(name);
  }
  return names.map((name) => new RegExp(`^${name.replace('<MODULE>', '[A-Z]+')}$`));
}

/** Every object a kustomization directory renders to, following resources into files and directories. */
function render(dir) {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) return (fail(dir, 'no kustomization.yaml'), []);
  const k = parseAllDocuments(readFileSync(file, 'utf8'))[0].toJS();
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization')
    fail(file, 'is not a kustomize.config.k8s.io/v1beta1 Kustomization');
  for (const key of Object.keys(k)) if (!KUSTOMIZATION_KEYS.has(key)) fail(file, `unsupported field "${key}"`);
  const labels = Object.assign({}, ...(k.labels ?? []).map((l) => l.pairs));
  const objects = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (!existsSync(path)) {
      fail(file, `resource ${resource} does not exist`);
    } else if (statSync(path).isDirectory()) {
      objects.push(...render(path));
    } else {
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length) fail(path, doc.errors.map((e) => e.message).join('; '));
        else if (doc.contents) objects.push({ file: path, object: doc.toJS() });
      }
    }
  }
  for (const { object } of objects) object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, ...labels } };
  return objects;
}

const APP_IMAGE = /(^|\/)modular-monolith(:|$)/;
const MODULE_NAMES = ['users', 'orders', 'auth'];
const LOOPBACK = /^(localhost|127\.|::1$|\[::1\])/;

/** The environment a container starts with, from its ConfigMaps and its own env. */
function containerEnv(file, c, byName) {
  const env = {};
  for (const ref of c.envFrom ?? [])
    Object.assign(
      env,
      byName.get(`ConfigMap/${ref.configMapRef?.name}`)?.data ??
        fail(file, `ConfigMap ${ref.configMapRef?.name} is not part of the overlay`),
    );
  for (const e of c.env ?? []) env[e.name] = e.value ?? e.valueFrom;
  return env;
}

/**
 * What a process of the application needs of its topology, in Compose as in Kubernetes: a module that
 * other processes reach and that runs as several replicas is on NATS (Redis would hand every request to
 * each, TCP pins callers to one);
 * several gateways count rate limits together in Redis; every broker it reaches is set explicitly (the
 * loopback defaults are wrong in a container) and names a service of the same deployment.
 * `replicas`: how many of this process run; `services`: the names a URL may point at.
 */
function checkTopology(where, name, env, replicas, services) {
  const hosted =
    env.MODULES === undefined
      ? MODULE_NAMES
      : String(env.MODULES)
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean);
  const api = env.API === undefined || String(env.API) === 'true';
  const transport = (m) => String(env[`${m.toUpperCase()}_TRANSPORT`] ?? 'local');
  const reached = new Set([...(api ? MODULE_NAMES : []), ...hosted, ...(hosted.includes('orders') ? ['users'] : [])]);
  const url = (variable, fallback) => {
    const value = env[variable] ?? (fallback && env[fallback]);
    if (value === undefined) return fail(where, `${name} uses ${variable} without setting it (the default reaches the container itself)`);
    let host;
    try {
      host = new URL(String(value)).hostname;
    } catch {
      return fail(where, `${name}: ${variable} is not a URL`);
    }
    if (LOOPBACK.test(host)) fail(where, `${name}: ${variable} points at ${host}, the container itself`);
    else if (services && !services.has(host)) fail(where, `${name}: ${variable} names ${host}, which is no service of this deployment`);
  };
  for (const m of reached) {
    if (transport(m) === 'nats') url(`${m.toUpperCase()}_NATS_URL`, 'NATS_URL');
    if (transport(m) === 'redis') url(`${m.toUpperCase()}_REDIS_URL`, 'REDIS_URL');
  }
  if (replicas > 1) {
    for (const m of hosted) {
      // In-process, every replica serves its own requests; across processes only NATS hands each request to one of them.
      if (['tcp', 'redis'].includes(transport(m))) {
        fail(
          where,
          `${name} runs ${replicas} replicas hosting ${m}, whose transport is ${transport(m)}: only nats hands each request to one replica`,
        );
      }
    }
    if (api && String(env.RATE_LIMIT_STORE ?? 'memory') !== 'redis')
      fail(where, `${name} runs ${replicas} gateways with RATE_LIMIT_STORE=memory: each would allow the whole limit`);
  }
  if (String(env.RATE_LIMIT_STORE ?? 'memory') === 'redis' && api) url('RATE_LIMIT_REDIS_URL', 'REDIS_URL');
}

function checkDeployment(file, d, byName, documented) {
  const pod = d.spec.template.spec;
  const [c] = pod.containers;
  const secondsOf = (env) => Number(env.SHUTDOWN_GRACE_MS ?? 15_000) / 1000;
  const env = containerEnv(file, c, byName);
  const services = new Set([...byName.keys()].filter((k) => k.startsWith('Service/')).map((k) => k.slice('Service/'.length)));
  checkTopology(file, d.metadata.name, env, d.spec.replicas ?? 1, services);
  for (const name of Object.keys(env))
    if (!documented.some((re) => re.test(name)))
      fail(file, `${d.metadata.name} sets ${name}, which README's configuration table does not document`);
  if (env.JWT_SECRET?.secretKeyRef?.key !== 'JWT_SECRET') fail(file, `${d.metadata.name} does not take JWT_SECRET from a Secret`);
  if (c.readinessProbe?.httpGet?.path !== '/health/ready') fail(file, `${d.metadata.name} has no readiness probe on /health/ready`);
  if (c.livenessProbe?.httpGet?.path !== '/health/live') fail(file, `${d.metadata.name} has no liveness probe on /health/live`);
  // The process keeps serving SHUTDOWN_READINESS_DELAY_MS after SIGTERM (stated in the manifests, not left
  // to the default); a preStop sleep, if any, comes before SIGTERM and adds to it.
  const sleep = c.lifecycle?.preStop?.exec?.command;
  const preStopSeconds = sleep === undefined ? 0 : sleep[0] === 'sleep' ? Number(sleep[1]) : NaN;
  if (Number.isNaN(preStopSeconds)) fail(file, `${d.metadata.name} has a preStop other than a sleep`);
  const delaySeconds = Number(env.SHUTDOWN_READINESS_DELAY_MS ?? 0) / 1000;
  if (!(preStopSeconds + delaySeconds >= LEAVE_SECONDS)) {
    fail(
      file,
      `${d.metadata.name} stops serving ${preStopSeconds + delaySeconds} s after it is told to stop: set SHUTDOWN_READINESS_DELAY_MS ` +
        `to at least ${LEAVE_SECONDS * 1000}`,
    );
  }
  // SHUTDOWN_GRACE_MS bounds the whole shutdown from SIGTERM, the readiness delay included.
  if (delaySeconds >= secondsOf(env)) fail(file, `${d.metadata.name}: SHUTDOWN_READINESS_DELAY_MS must be less than SHUTDOWN_GRACE_MS`);
  if (!(pod.terminationGracePeriodSeconds > preStopSeconds + secondsOf(env))) {
    fail(
      file,
      `${d.metadata.name}: terminationGracePeriodSeconds must exceed preStop + SHUTDOWN_GRACE_MS (${preStopSeconds + secondsOf(env)} s)`,
    );
  }
  if (
    !pod.securityContext?.runAsNonRoot ||
    c.securityContext?.readOnlyRootFilesystem !== true ||
    c.securityContext?.allowPrivilegeEscalation !== false
  ) {
    fail(file, `${d.metadata.name} must run as non-root with a read-only root filesystem and no privilege escalation`);
  }
  if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
    fail(file, `${d.metadata.name} has no resource requests and memory limit`);
}

/** A server the overlay runs for the application (NATS, Redis): probed, non-root, read-only, bounded. */
function checkSupportingDeployment(file, d) {
  const pod = d.spec.template.spec;
  const [c] = pod.containers;
  if (!c.readinessProbe || !c.livenessProbe) fail(file, `${d.metadata.name} has no readiness and liveness probes`);
  if (
    !pod.securityContext?.runAsNonRoot ||
    c.securityContext?.readOnlyRootFilesystem !== true ||
    c.securityContext?.allowPrivilegeEscalation !== false
  ) {
    fail(file, `${d.metadata.name} must run as non-root with a read-only root filesystem and no privilege escalation`);
  }
  if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
    fail(file, `${d.metadata.name} has no resource requests and memory limit`);
}

/** compose.yaml's application services, per profile, against the same topology rules. */
function checkCompose() {
  const file = join(root, 'compose.yaml');
  const compose = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })[0].toJS({ maxAliasCount: -1 });
  const services = Object.entries(compose.services ?? {});
  const profiles = new Set(services.flatMap(([, s]) => s.profiles ?? []));
  for (const profile of profiles) {
    const members = services.filter(([, s]) => (s.profiles ?? []).includes(profile));
    const names = new Set(members.map(([n]) => n));
    let apps = 0;
    for (const [name, service] of members) {
      if (!APP_IMAGE.test(String(service.image ?? '').replace(/^\$\{IMAGE:-(.*)\}$/, '$1'))) continue;
      apps += 1;
      checkTopology(file, `${name} (profile ${profile})`, service.environment ?? {}, service.deploy?.replicas ?? 1, names);
    }
    console.log(`compose.yaml profile ${profile}: ${members.length} services, ${apps} of the application checked`);
  }
}

const documented = documentedVariables();
checkCompose();
const overlays = readdirSync(overlaysDir).filter((name) => statSync(join(overlaysDir, name)).isDirectory());
if (overlays.length === 0) fail(overlaysDir, 'no overlays');
for (const overlay of overlays) {
  const objects = render(join(overlaysDir, overlay));
  const byName = new Map();
  for (const { file, object } of objects) {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) {
      fail(file, `${object.apiVersion} ${object.kind} is not expected in these manifests`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (err) {
      fail(file, `${object.kind} ${object.metadata?.name}: ${err.message}`);
    }
    const key = `${object.kind}/${object.metadata.name}`;
    if (byName.has(key)) fail(file, `${key} is defined twice in overlay ${overlay}`);
    byName.set(key, object);
  }
  const deployments = objects.filter(({ object }) => object.kind === 'Deployment');
  for (const { file, object } of deployments) {
    if (APP_IMAGE.test(object.spec.template.spec.containers[0].image)) checkDeployment(file, object, byName, documented);
    else checkSupportingDeployment(file, object);
  }
  for (const { file, object: s } of objects.filter(({ object }) => object.kind === 'Service')) {
    const targets = deployments.filter(({ object: d }) =>
      Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v),
    );
    if (targets.length !== 1) fail(file, `Service ${s.metadata.name} selects ${targets.length} Deployments`);
    for (const port of s.spec.ports) {
      if (targets[0] && !targets[0].object.spec.template.spec.containers[0].ports.some((p) => p.name === port.targetPort))
        fail(file, `Service ${s.metadata.name} targets port "${port.targetPort}", which its Deployment does not name`);
    }
  }
  console.log(`deploy/k8s/overlays/${overlay}: ${objects.length} objects checked`);
}

/** npm start runs the application with the node flags of the image's CMD (the benchmark reads them from there). */
function checkNodeFlags() {
  const dockerfile = join(root, 'Dockerfile');
  const cmd = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('CMD ['));
  if (!cmd) return fail(dockerfile, 'has no CMD in exec form');
  const imageFlags = JSON.parse(cmd.slice('CMD '.length)).slice(1, -1).join(' ');
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const startFlags = /^node((?: --[^ ]+)*) scripts\/start\.mjs$/.exec(start)?.[1]?.trim() ?? null;
  if (startFlags !== imageFlags)
    fail(join(root, 'package.json'), `the start script's node flags (${startFlags}) are not the Dockerfile CMD's (${imageFlags})`);
  else console.log(`Dockerfile CMD and npm start: node ${imageFlags || '(no flags)'}`);
}
checkNodeFlags();

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
