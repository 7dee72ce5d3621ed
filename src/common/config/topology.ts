import type { Env } from './settings.source.js';
import { ConfigError, readBoolean, readInteger, readUrl } from './settings.readers.js';

/**
 * How a module's patterns travel. Only NATS (a queue group per module) hands each request to one of
 * several processes hosting the module; TCP reaches one address and Redis pub/sub hands every request
 * to every subscriber, so on those a module runs as one process.
 */
export type TransportKind = 'local' | 'tcp' | 'redis' | 'nats';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['local', 'tcp', 'redis', 'nats'];

/** Transports on which several processes may host the same module. */
export const REPLICATED_TRANSPORTS: readonly TransportKind[] = ['nats'];

/** What the topology needs to know of a module; each module's index.ts declares its own. */
export interface ModuleDescriptor {
  readonly name: string;
  readonly defaultTcpPort: number;
  /** Modules whose patterns this module's core sends requests to (and so needs at run time). */
  readonly calls: readonly string[];
  /** Events (`<producer>.<event>`) this module's core consumes. */
  readonly subscribes: readonly string[];
}

/** The module that produces an event: the part of its name before the first dot. */
export const producerOf = (event: string) => event.slice(0, event.indexOf('.'));

export interface ModuleEndpoint {
  name: string;
  transport: TransportKind;
  tcp: { host: string; port: number };
  redisUrl: string;
  natsUrl: string;
  /** PostgreSQL URL for this module's core; undefined means the embedded database. */
  databaseUrl?: string;
}

export interface Topology {
  /**
   * BUS_NAMESPACE: prefixes every Redis channel and NATS subject (`<namespace>.<pattern>`), so two
   * deployments can share one broker without hearing each other. Empty: no prefix.
   */
  namespace: string;
  /** Module cores hosted (served and migrated) by this process. */
  hosted: string[];
  /** Whether this process serves the public HTTP API. */
  api: boolean;
  /** Modules this process sends to: every module when it serves the API, plus what its cores call. */
  calls: string[];
  modules: Record<string, ModuleEndpoint>;
  /** Every event some module consumes, with its consumers (whether hosted here or not). */
  subscribers: Record<string, string[]>;
  /**
   * For each hosted producer, the consumers its relay delivers to: those hosted here and those that
   * listen on a transport. A consumer reachable only in its own process fetches instead (pullSources).
   */
  pushTargets: Record<string, string[]>;
  /** For each hosted consumer that listens only in-process, the producers elsewhere it fetches events from. */
  pullSources: Record<string, string[]>;
}

function readModuleList(env: Env, name: string, known: string[]): string[] {
  const raw = env[name];
  if (raw === undefined) return [...known];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = list.filter((m) => !known.includes(m));
  if (unknown.length) {
    throw new ConfigError(name, `names unknown module(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return [...new Set(list)];
}

/**
 * Reads where every module lives from the environment. All processes of a deployment may share one
 * set of variables and differ only in MODULES; a contradiction stops the process at boot.
 */
export function readTopology(env: Env, descriptors: readonly ModuleDescriptor[]): Topology {
  const known = descriptors.map((d) => d.name);
  const hosted = readModuleList(env, 'MODULES', known);
  const api = readBoolean(env, 'API', true);
  if (!api && hosted.length === 0) {
    throw new ConfigError('MODULES', 'is empty and API=false: this process would do nothing');
  }
  const sharedRedis = readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379';
  const sharedDatabase = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const sharedNats = readUrl(env, 'NATS_URL', NATS_PROTOCOLS) ?? 'nats://127.0.0.1:4222';
  const namespace = readNamespace(env);

  const modules: Record<string, ModuleEndpoint> = {};
  for (const d of descriptors) {
    const prefix = d.name.toUpperCase();
    const transport = (env[`${prefix}_TRANSPORT`]?.trim().toLowerCase() || 'local') as TransportKind;
    if (!TRANSPORT_KINDS.includes(transport)) {
      throw new ConfigError(`${prefix}_TRANSPORT`, `must be one of ${TRANSPORT_KINDS.join(', ')}, got "${env[`${prefix}_TRANSPORT`]}"`);
    }
    modules[d.name] = {
      name: d.name,
      transport,
      tcp: {
        host: env[`${prefix}_TCP_HOST`]?.trim() || '127.0.0.1',
        port: readInteger(env, `${prefix}_TCP_PORT`, d.defaultTcpPort, 1, 65535),
      },
      redisUrl: readUrl(env, `${prefix}_REDIS_URL`, ['redis:', 'rediss:']) ?? sharedRedis,
      natsUrl: readUrl(env, `${prefix}_NATS_URL`, NATS_PROTOCOLS) ?? sharedNats,
      databaseUrl: readUrl(env, `${prefix}_DATABASE_URL`, ['postgres:', 'postgresql:']) ?? sharedDatabase,
    };
  }

  const calls = new Set<string>(api ? known : []);
  for (const d of descriptors) if (hosted.includes(d.name)) d.calls.forEach((c) => calls.add(c));
  for (const name of calls) {
    if (modules[name].transport === 'local' && !hosted.includes(name)) {
      throw new ConfigError(
        `${name.toUpperCase()}_TRANSPORT`,
        `is "local", but this process calls the ${name} module without hosting it ` +
          `(MODULES=${hosted.join(',') || '<empty>'}): add ${name} to MODULES or set ${name.toUpperCase()}_TRANSPORT to tcp, redis or nats`,
      );
    }
  }
  const tcpPorts = new Map<number, string>();
  for (const name of hosted) {
    const m = modules[name];
    if (m.transport !== 'tcp') continue;
    const other = tcpPorts.get(m.tcp.port);
    if (other) {
      throw new ConfigError(`${name.toUpperCase()}_TCP_PORT`, `is ${m.tcp.port}, the same port as the ${other} module in this process`);
    }
    tcpPorts.set(m.tcp.port, name);
  }
  const { subscribers, pushTargets, pullSources } = eventRoutes(descriptors, hosted, modules);
  return { namespace, hosted, api, calls: [...calls], modules, subscribers, pushTargets, pullSources };
}

const NATS_PROTOCOLS = ['nats:', 'tls:'];

/** BUS_NAMESPACE, validated: also the prefix of every key a deployment keeps in a shared store. */
export function readNamespace(env: Env): string {
  const raw = env.BUS_NAMESPACE?.trim() ?? '';
  if (raw && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(raw)) {
    throw new ConfigError('BUS_NAMESPACE', `must be 1 to 32 lower-case letters, digits or dashes (not first), got "${raw}"`);
  }
  return raw;
}

/** The channel or subject a pattern travels on in a deployment's namespace. */
export function namespaced(namespace: string, pattern: string): string {
  return namespace ? `${namespace}.${pattern}` : pattern;
}

/**
 * Decides who moves each event: the producer pushes to a consumer it can reach (hosted in the same
 * process, or listening on TCP or Redis); a consumer that listens only in-process fetches from its
 * producer, which must then be reachable. So events flow over whichever connection the configuration
 * already has, and extracting one module never requires configuring the others.
 */
function eventRoutes(descriptors: readonly ModuleDescriptor[], hosted: string[], modules: Record<string, ModuleEndpoint>) {
  const subscribers: Record<string, string[]> = {};
  const pushTargets: Record<string, string[]> = {};
  const pullSources: Record<string, string[]> = {};
  const add = (map: Record<string, string[]>, key: string, value: string) => {
    const list = (map[key] ??= []);
    if (!list.includes(value)) list.push(value);
  };
  for (const d of descriptors) {
    for (const event of d.subscribes) {
      const producer = producerOf(event);
      if (!modules[producer]) throw new Error(`Module ${d.name} subscribes to ${event}, but no module is named ${producer}`);
      add(subscribers, event, d.name);
      const consumerHere = hosted.includes(d.name);
      const producerHere = hosted.includes(producer);
      const consumerListens = modules[d.name].transport !== 'local';
      if (producerHere && (consumerHere || consumerListens)) add(pushTargets, producer, d.name);
      if (consumerHere && !producerHere && !consumerListens) {
        if (modules[producer].transport === 'local') {
          throw new ConfigError(
            `${producer.toUpperCase()}_TRANSPORT`,
            `is "local", but this process hosts ${d.name}, which consumes ${producer} events and is reached only in-process ` +
              `(MODULES=${hosted.join(',')}): add ${producer} to MODULES, or set ${producer.toUpperCase()}_TRANSPORT or ` +
              `${d.name.toUpperCase()}_TRANSPORT to tcp, redis or nats`,
          );
        }
        add(pullSources, d.name, producer);
      }
    }
  }
  return { subscribers, pushTargets, pullSources };
}
