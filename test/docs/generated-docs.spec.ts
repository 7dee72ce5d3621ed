import 'reflect-metadata';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/app-process.js';

// The app imports @nestjs/throttler (for HTTP only), which jest cannot load; see the stub.
jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'));
const { MODULE_DEFINITIONS } = await import('../../src/app.modules.js');
const { catalogueOf } = await import('../../src/common/contracts/catalogue.js');
const { moduleMapMarkdown } = await import('../../src/common/contracts/module-map.render.js');
const { contractTables, fillGenerated } = await import('../../src/common/contracts/contract-tables.render.js');
const { defineOperation } = await import('../../src/common/contracts/operation.js');

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

/**
 * docs/modules.md and the generated tables of docs/contracts.md against the declarations (the same
 * comparison `npm run docs:check` makes on the build), and the drift each is meant to catch.
 */
describe('the generated docs', () => {
  const catalogue = catalogueOf(MODULE_DEFINITIONS);

  it('are what the declarations generate (run `npm run modules:map` and `npm run contracts:docs` after changing them)', () => {
    expect(read('docs/modules.md')).toBe(moduleMapMarkdown(catalogue));
    const contracts = read('docs/contracts.md');
    expect(fillGenerated(contracts, contractTables(catalogue))).toBe(contracts);
  });

  it('differ once an operation is declared that they do not show (a planted drift)', () => {
    const [users, ...others] = catalogue.modules;
    const extra = defineOperation({ ...users.operations[0], pattern: 'users.audit', summary: 'A planted operation.' });
    const drifted = { ...catalogue, modules: [{ ...users, operations: [...users.operations, extra] }, ...others] };
    expect(moduleMapMarkdown(drifted)).not.toBe(read('docs/modules.md'));
    expect(moduleMapMarkdown(drifted)).toContain('users.audit');
    const contracts = read('docs/contracts.md');
    expect(fillGenerated(contracts, contractTables(drifted))).not.toBe(contracts);
  });

  it('refuse a page that lost the markers of a block, or has markers nothing fills', () => {
    const contracts = read('docs/contracts.md').replace('<!-- generated: operations orders (npm run contracts:docs) -->', '');
    expect(() => fillGenerated(contracts, contractTables(catalogue))).toThrow('generated blocks without markers: operations orders');
    expect(() => fillGenerated(read('docs/contracts.md'), { events: '' })).toThrow('markers without a block: dependencies');
  });
});
