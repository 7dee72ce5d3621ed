import type { ModuleDefinition } from './common/contracts/module-definition.js';
import {
  readBusSettings,
  readDatabaseSettings,
  readEventSettings,
  readHttpSettings,
  readIdentitySettings,
  readLogSettings,
  readMetricsSettings,
  readRetentionSettings,
  readShutdownSettings,
  readTcpListenerSettings,
} from './common/config/settings.js';
import { environment, readSettings } from './common/config/settings.source.js';
import { readTopology } from './common/config/topology.js';
import { readSecuritySettings } from './common/http/security.settings.js';
import { readTokenSettings } from './common/identity/token.settings.js';
import { readTracingSettings } from './common/observability/tracing.settings.js';

/**
 * Every setting of this process, read from its environment and validated together, with the topology
 * and each module's own settings: a bad value stops the process before anything starts, with a
 * ConfigError naming the variable. The namespaces each concern registers are later given these same
 * objects. It lives here, above src/common, because it gathers every concern's reader.
 */
export function loadSettings(modules: readonly ModuleDefinition[]) {
  const common = {
    http: readSettings(readHttpSettings),
    bus: readSettings(readBusSettings),
    tcpListener: readSettings(readTcpListenerSettings),
    metrics: readSettings(readMetricsSettings),
    database: readSettings(readDatabaseSettings),
    tokens: readSettings(readTokenSettings),
    identity: readSettings(readIdentitySettings),
    events: readSettings(readEventSettings),
    retention: readSettings(readRetentionSettings),
    log: readSettings(readLogSettings),
    shutdown: readSettings(readShutdownSettings),
    security: readSettings(readSecuritySettings),
    tracing: readSettings(readTracingSettings),
  };
  for (const module of modules) if (module.settings) readSettings(module.settings);
  return Object.freeze({ ...common, topology: Object.freeze(readTopology(environment(), modules)) });
}

export type Settings = ReturnType<typeof loadSettings>;
