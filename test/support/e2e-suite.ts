import { TestDatabase } from './test-database.js';
import { RunningTopology, startTopology, StartTopologyOptions } from './topology.js';
import { selectedTopology, type TopologyName } from './topologies.js';

export interface E2eSuite {
  /** The public API of the running topology. */
  readonly baseUrl: string;
  /** The test database, for side effects the HTTP API cannot show. */
  readonly db: TestDatabase;
  readonly topology: RunningTopology;
}

/**
 * Registers the hooks every end-to-end spec needs: the topology chosen by env TOPOLOGY is started
 * before the spec's tests and stopped after them, and the module tables are emptied before each test.
 * The spec only ever sees `baseUrl`, so it runs unchanged against every topology. A spec about one
 * particular deployment (the resilience specs) names it with `topology`.
 */
export function useE2eSuite(label: string, options: Pick<StartTopologyOptions, 'env'> & { topology?: TopologyName } = {}): E2eSuite {
  let topology: RunningTopology | undefined;
  const db = new TestDatabase();

  beforeAll(async () => {
    topology = await startTopology(options.topology ?? selectedTopology(), { label, env: options.env });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await db.close();
  }, 60_000);

  beforeEach(() => db.truncateModuleTables());

  return {
    get baseUrl() {
      if (!topology) throw new Error('The topology is not running (did beforeAll fail?)');
      return topology.baseUrl;
    },
    get topology() {
      if (!topology) throw new Error('The topology is not running (did beforeAll fail?)');
      return topology;
    },
    db,
  };
}
