import { lastValueFrom, type Observable } from 'rxjs';
import type { MessageHandler } from '@nestjs/microservices';
import { ModuleRedisServer, ModuleTcpServer } from './module-listeners.js';
import { ModuleNatsServer } from './nats.server.js';

const handler = (async (data: unknown) => ({ echoed: data })) as MessageHandler;
const limits = { maxFrameChars: 65_536, maxConnections: 4 };

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
});
