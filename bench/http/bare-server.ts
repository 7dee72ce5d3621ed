/**
 * The bare reference for `npm run bench:http`: plain Fastify, plain pg and a hand-written HS256 check,
 * serving the two operations the benchmark compares (read a user by id, place an order after checking
 * the buyer exists). No Nest, no bus, no validation library: what the application's request path is
 * measured against. Runs as its own process, started by http.bench.ts.
 */
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { verifyHs256 } from './hs256.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const policy = { secret: Buffer.from(env('JWT_SECRET'), 'utf8'), issuer: env('JWT_ISSUER'), audience: env('JWT_AUDIENCE') };
// The same number of connections the application opens per module (DATABASE_POOL_SIZE default).
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

interface Line {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}
const iso = (d: Date) => d.toISOString();

const app = Fastify({ logger: false });

app.get('/health', async () => ({ status: 'ok' }));

app.get<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
  const caller = verifyHs256(policy, request.headers.authorization);
  if (!caller) return reply.code(401).send({ code: 'AUTH.UNAUTHENTICATED' });
  if (caller !== request.params.id) return reply.code(404).send({ code: 'USERS.NOT_FOUND' });
  const { rows } = await pool.query('SELECT id, name, email, created_at, updated_at FROM bare.users WHERE id = $1', [caller]);
  if (!rows.length) return reply.code(404).send({ code: 'USERS.NOT_FOUND' });
  const u = rows[0];
  return { id: u.id, name: u.name, email: u.email, createdAt: iso(u.created_at), updatedAt: iso(u.updated_at) };
});

app.post<{ Body: { items?: Line[] } }>('/orders', async (request, reply) => {
  const caller = verifyHs256(policy, request.headers.authorization);
  if (!caller) return reply.code(401).send({ code: 'AUTH.UNAUTHENTICATED' });
  const items = request.body?.items;
  if (!Array.isArray(items) || !items.length) return reply.code(400).send({ code: 'COMMON.VALIDATION_FAILED' });
  const exists = await pool.query('SELECT 1 FROM bare.users WHERE id = $1', [caller]);
  if (!exists.rowCount) return reply.code(422).send({ code: 'ORDERS.USER_NOT_FOUND' });
  const lines = items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
  const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  const id = randomUUID();
  const { rows } = await pool.query(
    `INSERT INTO bare.orders (id, user_id, status, items, total_cents) VALUES ($1, $2, 'pending', $3, $4)
     RETURNING created_at, updated_at`,
    [id, caller, JSON.stringify(lines), totalCents],
  );
  return reply.code(201).send({
    id,
    userId: caller,
    status: 'pending',
    items: lines.map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPriceCents })),
    totalCents,
    createdAt: iso(rows[0].created_at),
    updatedAt: iso(rows[0].updated_at),
  });
});

const stop = () =>
  void app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

await app.listen({ host: '127.0.0.1', port: Number(env('PORT')) });
