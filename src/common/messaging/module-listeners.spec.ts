import { lastValueFrom, type Observable } from 'rxjs';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { MessageHandler } from '@nestjs/microservices';
import { MessageDrain } from '../lifecycle/message.drain.js';
import { ShutdownState } from '../lifecycle/shutdown.state.js';
import { TcpPeer } from '../../../test/support/tcp-peer.js';
import { InProcessBroker } from './in-process.broker.js';
import { InProcessServer } from './in-process.server.js';
import { ModuleRedisServer, ModuleTcpServer } from './module-listeners.js';
import { ModuleNatsServer } from './nats.server.js';

const handler = (async (data: unknown) => ({ echoed: data })) as MessageHandler;
const limits = { maxFrameChars: 65_536, maxConnections: 4 };

/** A handler that answers `value` once released, with the promise of its start. */
function held<T>(value: T) {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const handler = (async () => {
    started();
    await gate;
    return value;
  }) as MessageHandler;
  return { handler, running, release: () => release() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function startTcp(server: ModuleTcpServer): Promise<number> {
  await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
  return (server.unwrap<NetServer>().address() as AddressInfo).port;
}

describe('module listeners', () => {
  it.each([
    ['TCP', () => new ModuleTcpServer(['users'], { host: '127.0.0.1', port: 1 }, limits)],
    ['Redis', () => new ModuleRedisServer(['users', 'orders'], '', { host: '127.0.0.1', port: 1 })],
    ['NATS', () => new ModuleNatsServer(['users', 'orders'], '', { servers: 'nats://127.0.0.1:1' })],
  ])('a %s listener registers only the patterns of its own modules', (_name, create) => {
    const server = create();
    for (const pattern of ['users.get', 'orders.get', 'auth.login', 'usersx.get']) server.addHandler(pattern, handler);
    const expected = server instanceof ModuleTcpServer ? ['users.get'] : ['users.get', 'orders.get'];
    expect([...server.getHandlers().keys()]).toEqual(expected);
  });

  it('refuses a payload outside the input limits before the handler runs', async () => {
    const server = new ModuleRedisServer(['users'], '', { host: '127.0.0.1', port: 1 });
    server.addHandler('users.get', handler);
    const registered = server.getHandlerByPattern('users.get')!;
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const refused = (await registered({ id: deep }, undefined)) as Observable<unknown>;
    await expect(lastValueFrom(refused)).rejects.toMatchObject({ code: 'COMMON.MALFORMED_REQUEST', status: 400 });
    const nul = (await registered({ id: 'a\u0000' }, undefined)) as Observable<unknown>;
    await expect(lastValueFrom(nul)).rejects.toMatchObject({ code: 'COMMON.VALIDATION_FAILED', status: 400 });
    expect(await registered({ id: 'ok' }, undefined)).toEqual({ echoed: { id: 'ok' } });
  });

  it('the in-process listener closes only once the message it is handling has been answered', async () => {
    const broker = new InProcessBroker();
    const server = new InProcessServer('drain-probe', broker);
    const slow = held('late');
    server.addHandler('probe.wait', slow.handler);
    server.listen(() => undefined);
    const replies: unknown[] = [];
    void broker.lookup('drain-probe')!({ pattern: 'probe.wait', data: {}, id: '7' }, (reply) => replies.push(reply));
    await slow.running;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await turn();
    expect(closed).toBe(false);
    expect(broker.lookup('drain-probe')).toBeDefined();
    slow.release();
    await closing;
    expect(replies).toEqual([{ response: 'late', isDisposed: true, id: '7' }]);
    expect(broker.lookup('drain-probe')).toBeUndefined();
  });

  describe('TCP close', () => {
    let server: ModuleTcpServer;
    let state: ShutdownState;

    beforeEach(() => {
      state = new ShutdownState();
      server = new ModuleTcpServer(
        ['probe'],
        { host: '127.0.0.1', port: 0 },
        limits,
        new MessageDrain({ refuseWhenShuttingDown: true }, state),
      );
    });

    afterEach(async () => {
      if (server.unwrap<NetServer>().listening) await server.close();
    });

    it('answers the message in flight, then ends the connection and stays closed', async () => {
      const slow = held('late');
      server.addHandler('probe.wait', slow.handler);
      const peer = await TcpPeer.open(await startTcp(server));
      const reply = peer.request('probe.wait', {});
      await slow.running;
      state.begin();
      const closing = server.close();
      await turn();
      expect(server.unwrap<NetServer>().listening).toBe(true);
      expect(peer.closed).toBe(false);
      slow.release();
      expect(await reply).toMatchObject({ response: 'late', isDisposed: true });
      await closing;
      for (let i = 0; i < 100 && !peer.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(peer.closed).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.unwrap<NetServer>().listening).toBe(false);
    });

    it('refuses a message with BUS.UNAVAILABLE once shutdown began, and answers it before closing', async () => {
      let runs = 0;
      server.addHandler('probe.get', (async () => ++runs) as MessageHandler);
      const peer = await TcpPeer.open(await startTcp(server));
      expect(await peer.request('probe.get', {})).toMatchObject({ response: 1 });
      state.begin();
      expect(await peer.request('probe.get', {})).toMatchObject({ err: { code: 'BUS.UNAVAILABLE', status: 503 } });
      expect(runs).toBe(1);
      await server.close();
    });
  });
});
