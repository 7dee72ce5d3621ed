import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * The data boundary the design promises: each module's tables live in its own schema, and nothing in
 * the database ties one module's data to another's.
 */
describe('database layout after migrations', () => {
  const suite = useE2eSuite('database');
  const MODULE_SCHEMAS = ['users', 'orders', 'auth'];

  it('keeps every table, view and sequence in a module schema', async () => {
    const relations = await suite.db.query<{ schema: string; name: string; kind: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
        ORDER BY 1, 2`,
    );
    expect(relations.filter((r) => !MODULE_SCHEMAS.includes(r.schema))).toEqual([]);
    const tables = relations.filter((r) => r.kind === 'r').map((r) => `${r.schema}.${r.name}`);
    expect(tables).toEqual(expect.arrayContaining(['users.users', 'users.migrations', 'orders.orders', 'orders.migrations']));
  });

  it('has applied migrations in each module schema that holds data tables', async () => {
    const schemas = await suite.db.query<{ schema: string }>(
      `SELECT DISTINCT table_schema AS schema FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_name <> 'migrations'`,
      [MODULE_SCHEMAS],
    );
    expect(schemas.length).toBeGreaterThanOrEqual(2);
    for (const { schema } of schemas) {
      const [{ count }] = await suite.db.query<{ count: string }>(`SELECT count(*) AS count FROM "${schema}"."migrations"`);
      expect({ schema, applied: Number(count) > 0 }).toEqual({ schema, applied: true });
    }
  });

  const CROSSING_REFERENCES = `
    SELECT con.conname AS constraint, src.nspname AS from_schema, dst.nspname AS to_schema
      FROM pg_constraint con
      JOIN pg_class srcrel ON srcrel.oid = con.conrelid
      JOIN pg_namespace src ON src.oid = srcrel.relnamespace
      JOIN pg_class dstrel ON dstrel.oid = con.confrelid
      JOIN pg_namespace dst ON dst.oid = dstrel.relnamespace
     WHERE con.confrelid <> 0 AND src.nspname <> dst.nspname`;

  it('has no constraint that references a table in another schema', async () => {
    expect(await suite.db.query(CROSSING_REFERENCES)).toEqual([]);
  });

  it('would notice such a constraint (checked inside a rolled-back transaction)', async () => {
    await suite.db.query('BEGIN');
    try {
      await suite.db.query('CREATE TABLE orders.crossing_probe (user_id uuid REFERENCES users.users (id))');
      expect(await suite.db.query(CROSSING_REFERENCES)).toEqual([
        { constraint: expect.any(String), from_schema: 'orders', to_schema: 'users' },
      ]);
    } finally {
      await suite.db.query('ROLLBACK');
    }
  });
});
