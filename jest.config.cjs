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
  // Runs side by side (test:topologies lanes) each keep their own transform cache.
  ...(process.env.JEST_CACHE_DIR ? { cacheDirectory: process.env.JEST_CACHE_DIR } : {}),
};

/**
 * The PostgreSQL-backed end-to-end suites are left out, with a printed reason, when no database is
 * reachable outside CI; everything else always runs.
 */
/**
 * `npm test` runs everything but the fault and resilience specs, which start and kill several processes
 * and have a command of their own (`npm run test:resilience`, MM_TESTS=resilience).
 */
module.exports = async () => {
  const gate = await e2eGate();
  if (gate.message) process.stderr.write(`\n${gate.message}\n\n`);
  const resilience = process.env.MM_TESTS === 'resilience';
  const needsDatabase = gate.run
    ? []
    : ['<rootDir>/test/e2e/', '<rootDir>/test/postgres/', '<rootDir>/test/resilience/', '<rootDir>/test/tracing/'];
  return resilience
    ? { ...base, testMatch: ['<rootDir>/test/resilience/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', ...needsDatabase] }
    : { ...base, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/resilience/', ...needsDatabase] };
};
