import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, register } from '../support/auth-fixtures.js';
import { TcpPeer, type ReplyPacket } from '../support/tcp-peer.js';
import { RunningTopology, startTopology } from '../support/topology.js';
import { busCases, framingCases } from '../fuzz/bus-cases.js';

const MAX_FRAME = 65_536;
const PEERS = 4;
const NO_HANDLER = 'There is no matching message handler defined in the remote service.';
const FORGED = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoiYWRtaW4ifQ.';

/** What is wrong with a reply, if anything: it must be a value, the no-handler answer, or an error body below 500. */
function defectOf(reply: ReplyPacket): string | undefined {
  if (reply.err === undefined) return undefined;
  if (reply.err === NO_HANDLER) return undefined;
  const err = reply.err as { code?: unknown; status?: unknown; message?: unknown };
  if (typeof err?.code !== 'string' || typeof err.status !== 'number' || typeof err.message !== 'string')
    return `not an error body: ${JSON.stringify(reply.err).slice(0, 150)}`;
  if (err.status >= 500) return `${err.status} ${err.code}`;
  return undefined;
}

/**
 * The users core's TCP listener, fuzzed the way anyone who reaches its port could: every pattern with
 * payloads of wrong types, odd text and numbers, deep and wide values, under no, valid, forged and
 * malformed credentials; patterns of other modules and of nobody; and broken framing. Each request
 * gets a clean answer, each framing error an error packet and a closed connection, and the core and
 * the gateway keep serving.
 */
describe('message-pattern fuzz over TCP against the users core (users-tcp)', () => {
  let topology: RunningTopology;

  beforeAll(async () => {
    topology = await startTopology('users-tcp', { label: 'bus-fuzz', env: { BUS_TCP_MAX_FRAME_CHARS: String(MAX_FRAME) } });
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it('answers every hostile packet cleanly, refuses broken frames, and keeps serving', async () => {
    const port = Number(topology.processes.users.env.USERS_TCP_PORT);
    const ada = await register(topology.baseUrl);
    const cases = busCases({
      none: {},
      user: { authorization: bearer(ada.accessToken), 'correlation-id': 'bus-fuzz' },
      forged: { authorization: FORGED },
      malformed: `{"authorization":{"a":[1,2]},"correlation-id":"${'c'.repeat(3000)}","deep":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    });

    const outcomes = new Map<string, number>();
    const defects: string[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      let peer = await TcpPeer.open(port);
      while (next < cases.length) {
        const c = cases[next++];
        const id = randomUUID();
        const patternJson = JSON.stringify(c.pattern) ?? 'null';
        peer.writeFrame(`{"pattern":${patternJson},"data":${c.data},"metadata":${c.metadata},"id":"${id}"}`);
        let reply: ReplyPacket;
        try {
          await peer.waitFor((r) => r.id === id && (r.isDisposed === true || r.err !== undefined), 10_000);
          reply = Object.assign({}, ...peer.replies.filter((r) => r.id === id));
        } catch (err) {
          defects.push(`${c.label}: ${(err as Error).message.slice(0, 200)}`);
          peer.close();
          peer = await TcpPeer.open(port);
          continue;
        }
        peer.replies.length = 0;
        const outcome =
          reply.err === undefined ? 'value' : reply.err === NO_HANDLER ? 'no handler' : String((reply.err as { code?: string }).code);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        const defect = defectOf(reply);
        if (defect) defects.push(`${c.label}: ${defect}`);
      }
      peer.close();
    };
    await Promise.all(Array.from({ length: PEERS }, worker));

    for (const f of framingCases(MAX_FRAME)) {
      const peer = await TcpPeer.open(port);
      peer.writeRaw(f.bytes);
      try {
        const reply = await peer.waitFor((r) => r.err !== undefined);
        if ((reply.err as { code?: string }).code !== f.expectCode) defects.push(`${f.label}: answered ${JSON.stringify(reply.err)}`);
        await peer.waitClosed();
        outcomes.set(`framing ${f.expectCode}`, (outcomes.get(`framing ${f.expectCode}`) ?? 0) + 1);
      } catch (err) {
        defects.push(`${f.label}: ${(err as Error).message.slice(0, 200)}`);
      } finally {
        peer.close();
      }
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `\n[bus fuzz] ${cases.length} packets and ${framingCases(MAX_FRAME).length} broken streams in ${seconds.toFixed(1)} s; ` +
        `outcomes ${[...outcomes.entries()].map(([o, n]) => `${o}: ${n}`).join(', ')}; defects: ${defects.length}\n`,
    );

    expect(defects.slice(0, 20)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const peer = await TcpPeer.open(port);
    expect((await peer.request('users.ping', {})).response).toEqual({ module: 'users' });
    const me = await peer.request('users.get', { id: ada.userId }, { authorization: bearer(ada.accessToken) });
    expect(me.response).toMatchObject({ id: ada.userId });
    peer.close();
    expect((await request(topology.baseUrl).get('/health/ready')).status).toBe(200);
  }, 175_000);
});
