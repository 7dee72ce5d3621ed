/**
 * Reading a module schema's tables, rows and sequences from one PostgreSQL (the embedded one) and
 * writing them into another, as text: every value goes through its type's text form, which PostgreSQL
 * reads back exactly (what COPY does), so no precision is lost on the way (timestamps keep their
 * microseconds, bigints and numerics their digits).
 */

/** Anything that runs a query with positional parameters and returns rows: a DataSource, a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

export interface TableLayout {
  name: string;
  /** Columns that take a value (generated columns are computed by the target), with their types. */
  columns: Array<{ name: string; type: string }>;
}

export interface SchemaLayout {
  /** Every table of the schema, each after the tables its foreign keys point to. */
  tables: TableLayout[];
  sequences: string[];
}

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

/** Settings under which every session of the copy writes and reads values as text the same way. */
export const TEXT_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
  'SET extra_float_digits = 1',
  "SET bytea_output = 'hex'",
];

export async function schemaExists(db: Queryable, schema: string): Promise<boolean> {
  const rows: unknown[] = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}

export async function readLayout(db: Queryable, schema: string): Promise<SchemaLayout> {
  const columns: Array<{ table: string; column: string; type: string; generated: boolean }> = await db.query(
    `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type", a.attgenerated <> '' AS "generated"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const references: Array<{ child: string; parent: string }> = await db.query(
    `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
       JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace JOIN pg_namespace pn ON pn.oid = pa.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1 AND pn.nspname = $1 AND ch.oid <> pa.oid`,
    [schema],
  );
  const sequences: Array<{ name: string }> = await db.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'S' ` +
      `ORDER BY 1`,
    [schema],
  );
  const tables = new Map<string, TableLayout>();
  for (const c of columns) {
    const table = tables.get(c.table) ?? { name: c.table, columns: [] };
    if (!c.generated) table.columns.push({ name: c.column, type: c.type });
    tables.set(c.table, table);
  }
  return { tables: parentsFirst([...tables.values()], references), sequences: sequences.map((s) => s.name) };
}

function parentsFirst(tables: TableLayout[], references: Array<{ child: string; parent: string }>): TableLayout[] {
  const ordered: TableLayout[] = [];
  const placed = new Set<string>();
  let rest = tables;
  while (rest.length) {
    const ready = rest.filter((t) => references.every((r) => r.child !== t.name || placed.has(r.parent)));
    if (!ready.length) throw new Error(`foreign keys between ${rest.map((t) => t.name).join(', ')} form a cycle`);
    for (const t of ready) placed.add(t.name);
    ordered.push(...ready);
    rest = rest.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

/** How two layouts of the same schema differ (tables, columns or their types, sequences); empty when they match. */
export function layoutDifferences(source: SchemaLayout, target: SchemaLayout): string[] {
  const describe = (l: SchemaLayout) =>
    new Set([
      ...l.tables.flatMap((t) => t.columns.map((c) => `column ${t.name}.${c.name} ${c.type}`)),
      ...l.sequences.map((s) => `sequence ${s}`),
    ]);
  const [a, b] = [describe(source), describe(target)];
  return [
    ...[...a].filter((x) => !b.has(x)).map((x) => `only in the embedded database: ${x}`),
    ...[...b].filter((x) => !a.has(x)).map((x) => `only in the target: ${x}`),
  ];
}

/** The first table of `layout` other than `except` that holds a row, if any. */
export async function firstTableWithRows(db: Queryable, schema: string, layout: SchemaLayout, except: string): Promise<string | undefined> {
  for (const table of layout.tables) {
    if (table.name === except) continue;
    const [row]: Array<{ found: boolean }> = await db.query(`SELECT EXISTS (SELECT 1 FROM ${qualified(schema, table.name)}) AS found`);
    if (row.found) return table.name;
  }
  return undefined;
}

/** Largest number of rows per INSERT, so that no statement passes PostgreSQL's 65535 parameters. */
const MAX_PARAMETERS = 60_000;

/**
 * Replaces every row of the schema's tables in `target` by those of `source`, and sets each sequence
 * where the source's stands. Run it inside a transaction on `target`. Returns the rows copied per table.
 */
export async function copySchemaRows(
  source: Queryable,
  target: Queryable,
  schema: string,
  layout: SchemaLayout,
): Promise<Record<string, number>> {
  if (layout.tables.length) await target.query(`TRUNCATE ${layout.tables.map((t) => qualified(schema, t.name)).join(', ')}`);
  const copied: Record<string, number> = {};
  for (const table of layout.tables) {
    const names = table.columns.map((c) => ident(c.name));
    const rows: Array<Record<string, string | null>> = await source.query(
      `SELECT ${names.map((n) => `${n}::text AS ${n}`).join(', ')} FROM ${qualified(schema, table.name)}`,
    );
    const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, names.length)));
    for (let start = 0; start < rows.length; start += perInsert) {
      const batch = rows.slice(start, start + perInsert);
      const values: Array<string | null> = [];
      const tuples = batch.map(
        (row) =>
          `(${table.columns
            .map((c) => {
              values.push(row[c.name]);
              // The text form read back as the column's own type, as COPY would.
              return `$${values.length}::${c.type}`;
            })
            .join(', ')})`,
      );
      // Identity columns keep the values they had: the sequences are set to match below.
      await target.query(
        `INSERT INTO ${qualified(schema, table.name)} (${names.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`,
        values,
      );
    }
    const [count]: Array<{ n: string }> = await target.query(`SELECT count(*)::text AS n FROM ${qualified(schema, table.name)}`);
    if (Number(count.n) !== rows.length) throw new Error(`${schema}.${table.name}: ${rows.length} rows read, ${count.n} in the target`);
    copied[table.name] = rows.length;
  }
  for (const sequence of layout.sequences) {
    const [state]: Array<{ last_value: string; is_called: boolean }> = await source.query(
      `SELECT last_value::text AS last_value, is_called FROM ${qualified(schema, sequence)}`,
    );
    await target.query('SELECT setval($1::regclass, $2::bigint, $3::boolean)', [
      qualified(schema, sequence),
      state.last_value,
      state.is_called,
    ]);
  }
  return copied;
}
