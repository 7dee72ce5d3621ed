// Preloaded into an application process (NODE_OPTIONS=--import <this file>) by the SQL statement spec:
// records every statement the process sends to PostgreSQL through `pg`, with the correlation id of the
// request being handled when it was issued (none for background work: event relays, credential copy
// refresh). One JSON line per statement in $SQL_RECORD_DIR/<pid>.jsonl. Test-only: nothing in src/
// knows about it.
import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const dir = process.env.SQL_RECORD_DIR;
if (!dir) throw new Error('sql-recorder: SQL_RECORD_DIR is not set');
mkdirSync(dir, { recursive: true });
const file = `${dir}/${process.pid}.jsonl`;

const root = new URL('../../', import.meta.url);
// The same module instances the application loads: TypeORM requires `pg` from the project, and the
// request context is the built module every hop runs its handlers in.
const pg = createRequire(root)('pg');
const { RequestContextStore } = await import(new URL('dist/src/common/context/request-context.js', root).href);

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function recordedQuery(config, ...rest) {
  const sql = typeof config === 'string' ? config : config?.text;
  if (typeof sql === 'string') {
    appendFileSync(file, JSON.stringify({ cid: RequestContextStore.current()?.correlationId ?? null, sql }) + '\n');
  }
  return query.call(this, config, ...rest);
};
