const { e2eGate } = require('./test/support/e2e-gate.cjs');

/** ESM: Nest 12 ships as ES modules only, so jest runs in its native ESM mode (see package.json "test"). */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // End-to-end and smoke specs drive real processes over HTTP; a request may cross two hops.
  testTimeout: 20_000,
};

/**
 * The PostgreSQL-backed end-to-end suites are left out, with a printed reason, when no database is
 * reachable outside CI; everything else always runs.
 */
module.exports = async () => {
  const gate = await e2eGate();
  if (gate.message) process.stderr.write(`\n${gate.message}\n\n`);
  return gate.run ? base : { ...base, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/resilience/', '<rootDir>/test/tracing/'] };
};
