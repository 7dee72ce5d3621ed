import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { authFor, createUser, CreatedUser, placeOrder, SAMPLE_LINES } from '../support/api-fixtures.js';
import { PROJECT_ROOT } from '../support/app-process.js';
import { useE2eSuite } from '../support/e2e-suite.js';

/**
 * SQL statements per request, pinned. Every application process of the topology preloads
 * test/support/sql-recorder.mjs, which records each statement sent to PostgreSQL with the correlation
 * id of the request being handled when it was issued. A request here carries its own correlation id,
 * so its statements are exactly those tagged with it, in whichever process (and over whichever hop)
 * they ran. Background work (event relays, credential copy refresh) carries no request's id; the last
 * test checks that nothing a request runs escapes its tag by looking at every untagged statement.
 */
const recordDir = mkdtempSync(join(tmpdir(), 'mm-sql-'));
const recorder = pathToFileURL(join(PROJECT_ROOT, 'test', 'support', 'sql-recorder.mjs')).href;

interface Statement {
  cid: string | null;
  sql: string;
}

/** Lines already read from each process's file, as a mark to read only what came after. */
type Mark = Map<string, number>;

function linesOf(file: string): Statement[] {
  return readFileSync(join(recordDir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Statement);
}

/** Every statement recorded, or, given a mark, those recorded since it (each process writes its own file). */
function recorded(since?: Mark): Statement[] {
  return readdirSync(recordDir).flatMap((f) => linesOf(f).slice(since?.get(f) ?? 0));
}

function mark(): Mark {
  return new Map(readdirSync(recordDir).map((f) => [f, linesOf(f).length]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for anything a request sets off after answering (an event relay kicked by it) to show up. */
const AFTERMATH_MS = 300;

describe('SQL statements per request', () => {
  const suite = useE2eSuite('sql-statements', { env: { NODE_OPTIONS: `--import ${recorder}`, SQL_RECORD_DIR: recordDir } });
  const api = () => request(suite.baseUrl);
  let user: CreatedUser;
  const ids: string[] = [];

  /** How many statements the processes had recorded once started: start-up work (migrations, catalog reads) is not a request's. */
  let atStart: Mark = new Map();

  beforeAll(() => {
    atStart = mark();
  });

  afterAll(() => rmSync(recordDir, { recursive: true, force: true }));

  beforeEach(async () => {
    user = await createUser(suite.baseUrl);
  });

  /** The statements issued for one request, which is sent with a correlation id of its own. */
  async function statementsOf(send: (cid: string) => Promise<{ status: number }>, status: number): Promise<string[]> {
    const cid = `sql-count-${randomUUID()}`;
    ids.push(cid);
    expect((await send(cid)).status).toBe(status);
    await sleep(AFTERMATH_MS);
    return recorded()
      .filter((s) => s.cid === cid)
      .map((s) => s.sql);
  }

  it('records what a request runs (the recorder is in place)', async () => {
    const sql = await statementsOf(
      (cid) => api().get('/v1/users/me').set('authorization', authFor(user)).set('x-correlation-id', cid),
      200,
    );
    expect(sql).toEqual([expect.stringMatching(/^SELECT .*"users"/s)]);
  });

  it('GET /v1/users/:id runs 1 statement', async () => {
    const sql = await statementsOf(
      (cid) => api().get(`/v1/users/${user.id}`).set('authorization', authFor(user)).set('x-correlation-id', cid),
      200,
    );
    expect(sql).toHaveLength(1);
  });

  it('GET /v1/users/me runs 1 statement', async () => {
    const sql = await statementsOf(
      (cid) => api().get('/v1/users/me').set('authorization', authFor(user)).set('x-correlation-id', cid),
      200,
    );
    expect(sql).toHaveLength(1);
  });

  it('PATCH /v1/users/:id runs 1 statement', async () => {
    const sql = await statementsOf(
      (cid) =>
        api().patch(`/v1/users/${user.id}`).set('authorization', authFor(user)).set('x-correlation-id', cid).send({ name: 'Grace Hopper' }),
      200,
    );
    expect(sql).toHaveLength(1);
  });

  it('POST /v1/orders runs at most 3 statements', async () => {
    const sql = await statementsOf(
      (cid) => api().post('/v1/orders').set('authorization', authFor(user)).set('x-correlation-id', cid).send({ items: SAMPLE_LINES }),
      201,
    );
    expect(sql.length).toBeGreaterThanOrEqual(1);
    expect(sql.length).toBeLessThanOrEqual(3);
  });

  it('GET /v1/orders/:id runs 1 statement', async () => {
    const order = await placeOrder(suite.baseUrl, user.id);
    const sql = await statementsOf(
      (cid) => api().get(`/v1/orders/${order.id}`).set('authorization', authFor(user)).set('x-correlation-id', cid),
      200,
    );
    expect(sql).toHaveLength(1);
  });

  it('POST /v1/orders/:id/cancel runs 1 statement', async () => {
    const order = await placeOrder(suite.baseUrl, user.id);
    const sql = await statementsOf(
      (cid) => api().post(`/v1/orders/${order.id}/cancel`).set('authorization', authFor(user)).set('x-correlation-id', cid),
      200,
    );
    expect(sql).toHaveLength(1);
  });

  it('leaves untagged only what runs outside any request', async () => {
    // What the processes run on their own: periodic reads, and the relays delivering the events a
    // registration publishes (as every test's beforeEach does), observed with no other request in flight.
    const before = mark();
    await createUser(suite.baseUrl);
    await sleep(2500);
    const background = new Set(
      recorded(before)
        .filter((s) => s.cid === null)
        .map((s) => s.sql),
    );
    expect(background.size).toBeGreaterThan(0);
    // Every untagged statement since start-up is one of those: none of the requests above leaked one.
    const untagged = new Set(
      recorded(atStart)
        .filter((s) => s.cid === null)
        .map((s) => s.sql),
    );
    expect([...untagged].filter((sql) => !background.has(sql))).toEqual([]);
  });
});
