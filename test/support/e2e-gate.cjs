// Decides whether the PostgreSQL-backed end-to-end suites can run here. Plain CommonJS because the
// jest configuration and scripts/test-topologies.mjs both load it before any TypeScript is compiled.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/mm_e2e_test';
const E2E_DIR = join(__dirname, '..', 'e2e');

function testDatabaseUrl() {
  return (process.env.TEST_DATABASE_URL || '').trim() || DEFAULT_URL;
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The suites that need PostgreSQL: end-to-end specs, the specs of what only a real server shows
 * (concurrent transactions, sessions, notifications), and the resilience specs.
 */
function e2eSpecFiles() {
  const list = (dir, suffix, prefix) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .map((f) => `${prefix}/${f}`);
    } catch {
      return [];
    }
  };
  return [
    ...list(E2E_DIR, '.e2e.spec.ts', 'test/e2e'),
    ...list(join(__dirname, '..', 'postgres'), '.spec.ts', 'test/postgres'),
    ...list(join(__dirname, '..', 'resilience'), '.spec.ts', 'test/resilience'),
  ];
}

/** Resolves to undefined when the server answers, else to the reason it does not. */
async function postgresProblem(url) {
  const { Client } = require('pg');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err && err.message ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * { run: true } when PostgreSQL answers, or when CI=true (there a missing database must fail the
 * suites loudly, not skip them). Otherwise { run: false, message } naming the suites and the way to
 * enable them.
 */
/** Jest loads its configuration more than once per run; the decision is kept so it is probed and printed once. */
const DECISION_VAR = 'MM_E2E_GATE_DECISION';

async function e2eGate() {
  const kept = process.env[DECISION_VAR];
  if (kept) return { ...JSON.parse(kept), message: undefined };
  const decision = await decide();
  process.env[DECISION_VAR] = JSON.stringify(decision);
  return decision;
}

async function decide() {
  const url = testDatabaseUrl();
  const problem = await postgresProblem(url);
  if (!problem) return { run: true, url };
  const files = e2eSpecFiles();
  if (process.env.CI === 'true') {
    return {
      run: true,
      url,
      message: `[e2e] PostgreSQL is not reachable at ${redact(url)} (${problem}); CI=true, so the end-to-end suites run and fail.`,
    };
  }
  return {
    run: false,
    url,
    message: [
      `[e2e] SKIPPED ${files.length} end-to-end suite(s): ${files.join(', ') || 'test/e2e/*.e2e.spec.ts'}`,
      `[e2e] Why: PostgreSQL is not reachable at ${redact(url)} (${problem}).`,
      '[e2e] To run them: start PostgreSQL, or point TEST_DATABASE_URL at one (its database name must contain "test").',
      '[e2e] Under CI=true an unreachable database fails the run instead of skipping.',
    ].join('\n'),
  };
}

module.exports = { e2eGate, testDatabaseUrl, redact };
