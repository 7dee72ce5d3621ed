import request from 'supertest';
import { bearer, register } from '../support/auth-fixtures.js';
import { RunningTopology, startTopology } from '../support/topology.js';

/**
 * Readiness covers what a process owns, so processes that call each other never hold each other
 * unready: started one at a time, in any order, each becomes ready on its own, before the modules it
 * calls exist. (Behind Kubernetes Services that route only to ready pods, the opposite would deadlock.)
 */
describe('readiness in a split topology started one process at a time', () => {
  let topology: RunningTopology;

  beforeAll(async () => {
    topology = await startTopology('split', { label: 'probes' });
    await topology.stop();
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it.each([[['gateway', 'orders', 'auth', 'users']], [['users', 'auth', 'orders', 'gateway']]])(
    'becomes ready process by process in the order %j, then serves the API',
    async (order) => {
      await topology.stop();
      for (const name of order) {
        // Waits for this process's own /health/ready alone: nothing it calls has to be up.
        await topology.processes[name].start({ timeoutMs: 30_000 });
      }
      for (const name of order) await topology.processes[name].waitConnected(30_000);
      const ada = await register(topology.baseUrl);
      expect((await request(topology.baseUrl).get('/v1/users/me').set('authorization', bearer(ada.accessToken))).status).toBe(200);
    },
    180_000,
  );
});
