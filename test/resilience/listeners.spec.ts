import { bearer, register } from '../support/auth-fixtures.js';
import { TcpPeer } from '../support/tcp-peer.js';
import { freePort } from '../support/free-port.js';
import { RunningTopology, startTopology } from '../support/topology.js';

const MAX_FRAME = 65_536;
const MAX_CONNECTIONS = 6;
const NO_HANDLER = 'There is no matching message handler defined in the remote service.';

/**
 * What a module's TCP listener accepts from anyone who can reach its port: only its own module's
 * patterns, payloads within the input limits, frames within the frame limit, and a bounded number of
 * connections. Users runs alone behind TCP; the gateway hosts orders and serves auth over TCP.
 */
describe('module listeners over TCP (users-tcp topology)', () => {
  let topology: RunningTopology;
  const peers: TcpPeer[] = [];
  const usersPort = () => Number(topology.processes.users.env.USERS_TCP_PORT);
  const authPort = () => Number(topology.processes.gateway.env.AUTH_TCP_PORT);
  const open = async (port = usersPort()) => {
    const peer = await TcpPeer.open(port);
    peers.push(peer);
    return peer;
  };

  beforeAll(async () => {
    const authTcpPort = String(await freePort());
    topology = await startTopology('users-tcp', {
      label: 'listeners',
      // Auth listens on TCP too, in the gateway, so a second module's listener can be checked.
      env: {
        BUS_TCP_MAX_FRAME_CHARS: String(MAX_FRAME),
        BUS_TCP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        AUTH_TRANSPORT: 'tcp',
        AUTH_TCP_PORT: authTcpPort,
      },
    });
  }, 180_000);

  afterEach(() => {
    peers.splice(0).forEach((p) => p.close());
  });

  afterAll(async () => {
    await topology?.stop();
  }, 60_000);

  it("serves its own module's patterns and no other module's", async () => {
    const users = await open();
    expect((await users.request('users.ping', {})).response).toEqual({ module: 'users' });
    expect(await users.request('orders.ping', {})).toMatchObject({ err: NO_HANDLER });
    expect(await users.request('auth.ping', {})).toMatchObject({ err: NO_HANDLER });

    // The gateway hosts orders and auth; only auth is on TCP, and its port serves auth only.
    const auth = await open(authPort());
    expect((await auth.request('auth.ping', {})).response).toEqual({ module: 'auth' });
    expect(await auth.request('orders.ping', {})).toMatchObject({ err: NO_HANDLER });
    expect(await auth.request('users.ping', {})).toMatchObject({ err: NO_HANDLER });
  });

  it('refuses a payload nested past the input limit as COMMON.MALFORMED_REQUEST, before any guard, and keeps serving', async () => {
    const peer = await open();
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    peer.writeFrame(`{"pattern":"users.get","data":{"id":${deep}},"id":"deep-1","metadata":{}}`);
    const reply = await peer.waitFor((r) => r.id === 'deep-1');
    expect(reply.err).toMatchObject({ code: 'COMMON.MALFORMED_REQUEST', status: 400 });

    const ada = await register(topology.baseUrl);
    const nul = await peer.request('users.get', { id: 'a\u0000' }, { authorization: bearer(ada.accessToken) });
    expect(nul.err).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect((await peer.request('users.ping', {})).response).toEqual({ module: 'users' });
  });

  it('answers a frame over BUS_TCP_MAX_FRAME_CHARS with COMMON.PAYLOAD_TOO_LARGE and closes that connection only', async () => {
    const peer = await open();
    const reply = peer.waitFor((r) => r.err?.code !== undefined);
    peer.writeFrame(JSON.stringify({ pattern: 'users.ping', data: { filler: 'x'.repeat(MAX_FRAME) }, id: 'big-1' }));
    expect((await reply).err).toMatchObject({ code: 'COMMON.PAYLOAD_TOO_LARGE', status: 413 });
    await peer.waitClosed();
    const next = await open();
    expect((await next.request('users.ping', {})).response).toEqual({ module: 'users' });
  });

  it('answers a frame that is not JSON, or a broken length prefix, with COMMON.MALFORMED_REQUEST and closes', async () => {
    for (const garbage of ['11#not json at', 'abc#{}']) {
      const peer = await open();
      const reply = peer.waitFor((r) => r.err?.code !== undefined);
      peer.writeRaw(garbage);
      expect((await reply).err).toMatchObject({ code: 'COMMON.MALFORMED_REQUEST', status: 400 });
      await peer.waitClosed();
      peers.pop()?.close();
    }
  });

  it(`accepts at most BUS_TCP_MAX_CONNECTIONS (${MAX_CONNECTIONS}) connections at once`, async () => {
    // The gateway holds at least one connection to the users core already.
    await new Promise((r) => setTimeout(r, 300));
    const opened = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 1 }, () => open()));
    await new Promise((r) => setTimeout(r, 500));
    const kept = opened.filter((p) => !p.closed);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThanOrEqual(MAX_CONNECTIONS - 1);
    expect(opened.length - kept.length).toBeGreaterThanOrEqual(2);
    expect((await kept[0].request('users.ping', {})).response).toEqual({ module: 'users' });
    peers.splice(0).forEach((p) => p.close());
    await new Promise((r) => setTimeout(r, 200));
    const again = await open();
    expect((await again.request('users.ping', {})).response).toEqual({ module: 'users' });
  });
});
