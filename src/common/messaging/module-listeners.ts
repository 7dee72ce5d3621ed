import type { Socket } from 'node:net';
import { MessageHandler, ServerRedis, ServerTCP, TcpSocket } from '@nestjs/microservices';
import type { RedisOptions, TcpOptions } from '@nestjs/microservices';
import type { readTcpListenerSettings } from '../config/settings.js';
import { inputProblemError, inspectInput } from '../validation/input.limits.js';
import { namespaced } from '../config/topology.js';
import { MessageDrain } from '../lifecycle/message.drain.js';
import { wrapHandler } from './handler.wrapper.js';
import { patternModule } from './payload.guard.js';
import { frameLimitedSocket } from './tcp-frame.socket.js';

export type TcpListenerLimits = ReturnType<typeof readTcpListenerSettings>;

/**
 * A module's TCP listener: registers only the handlers of `modules` (a handler's module is its
 * pattern's prefix), so the port answers no other module's patterns; bounds frames and connections;
 * and answers a packet outside INPUT_LIMITS (pattern, metadata or payload) with an error.
 */
export class ModuleTcpServer extends ServerTCP {
  private closing = false;
  /** The connections accepted and still open, so close() can end each one and wait for it. */
  private readonly connections = new Set<Socket>();

  constructor(
    private readonly modules: readonly string[],
    options: Required<TcpOptions>['options'],
    limits: TcpListenerLimits,
    private readonly drain = new MessageDrain(),
  ) {
    super({ ...options, socketClass: frameLimitedSocket(limits.maxFrameChars) });
    this.server.maxConnections = limits.maxConnections;
  }

  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    if (!this.modules.includes(patternModule(this.getPatternAsString(pattern)))) return;
    super.addHandler(pattern, wrapHandler(callback, isEventHandler, this.drain), isEventHandler, extras);
  }

  /** Every accepted connection passes here (the handler the listener binds), and is followed until it closes. */
  override bindHandler(socket: Socket): void {
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    super.bindHandler(socket);
  }

  /** Closed on purpose, the listener stays closed (the stock handler may listen again after an unexpected close). */
  override handleClose(): ReturnType<ServerTCP['handleClose']> {
    return this.closing ? undefined : super.handleClose();
  }

  /**
   * Once the messages in flight are answered, stops accepting and ends each connection instead of
   * destroying it at once (as the stock close does), and resolves once the peers have them closed (at
   * most a second, then what is left is destroyed): the replies already written, the last ones of a
   * drained shutdown, reach their callers before the process exits.
   */
  override async close(): Promise<void> {
    await this.drain.settled();
    this.closing = true;
    this.server.close();
    const sockets = [...this.connections];
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed) return resolve();
            const timer = setTimeout(() => socket.destroy(), 1000);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.end();
          }),
      ),
    );
  }

  override async handleMessage(socket: TcpSocket, rawMessage: unknown): Promise<any> {
    // A message that arrives while the connections are being ended is not taken: its caller sees the
    // connection close, as with a message that never reached the listener.
    if (this.closing) return;
    const problem = inspectInput(rawMessage);
    if (!problem) return super.handleMessage(socket, rawMessage);
    const id = (rawMessage as { id?: unknown } | null)?.id;
    const err = inputProblemError(problem).toBody();
    // Without a usable id the peer cannot match the answer, but still sees why.
    socket.sendMessage({ id: typeof id === 'string' ? id : undefined, err, isDisposed: true, status: 'error' });
  }
}

/**
 * Raised when a second process would serve a module on Redis: pub/sub hands every request to every
 * subscriber, so two processes would both handle each one (two orders for one POST).
 */
export class ModuleAlreadyServedError extends Error {
  constructor(
    readonly module: string,
    readonly variable: string,
  ) {
    super(
      `Another process already serves the ${module} module on this Redis (and namespace). Redis hands every request to ` +
        `every process subscribed to it, so a module on Redis runs as exactly one process: stop the other one, or set ` +
        `${variable}=nats to run several processes of the module (NATS hands each request to one of them).`,
    );
    this.name = 'ModuleAlreadyServedError';
  }
}

type RedisCommands = { pubsub(command: 'NUMSUB', ...channels: string[]): Promise<unknown[]> };

/**
 * A Redis listener for the modules that share one Redis URL: it subscribes only to their patterns'
 * channels (in the deployment's namespace), checks payloads against INPUT_LIMITS like every listener,
 * and refuses to start when another process already serves one of its modules on the same Redis.
 */
export class ModuleRedisServer extends ServerRedis {
  constructor(
    private readonly modules: readonly string[],
    private readonly namespace: string,
    options: Required<RedisOptions>['options'],
    private readonly drain = new MessageDrain(),
  ) {
    super(options);
  }

  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    if (!this.modules.includes(patternModule(this.getPatternAsString(pattern)))) return;
    super.addHandler(pattern, wrapHandler(callback, isEventHandler, this.drain), isEventHandler, extras);
  }

  /** Finishes the messages in flight before the connections close. */
  override async close(): Promise<void> {
    await this.drain.settled();
    await super.close();
  }

  /**
   * Subscribes only when no other process serves these modules on this Redis, and checks again once
   * subscribed: two processes that start together both see the other and both stop, so neither serves
   * a request twice.
   */
  override start(callback?: (err?: unknown) => void): void {
    const done = callback ?? (() => undefined);
    void Promise.all([this.subClient.connect(), this.pubClient.connect()])
      .then(async () => {
        await this.assertAlone(0);
        this.bindEvents(this.subClient, this.pubClient);
        // Commands on one connection run in order: once this answers, the subscriptions are in place.
        await this.subClient.ping();
        await this.assertAlone(1);
        done();
      })
      .catch(done);
  }

  override getRequestPattern(pattern: string): string {
    return namespaced(this.namespace, pattern);
  }

  override getReplyPattern(pattern: string): string {
    return `${namespaced(this.namespace, pattern)}.reply`;
  }

  /** Channels arrive in the namespace; handlers, contexts and replies go by the plain pattern. */
  override handleMessage(channel: string, buffer: string, pub: any, pattern: string): Promise<any> {
    return super.handleMessage(this.plain(channel), buffer, pub, this.plain(pattern));
  }

  private plain(channel: string): string {
    return this.namespace && channel.startsWith(`${this.namespace}.`) ? channel.slice(this.namespace.length + 1) : channel;
  }

  private async assertAlone(allowed: number): Promise<void> {
    for (const module of this.modules) {
      const [, count] = await (this.pubClient as unknown as RedisCommands).pubsub('NUMSUB', this.getRequestPattern(`${module}.ping`));
      if (Number(count) > allowed) throw new ModuleAlreadyServedError(module, `${module.toUpperCase()}_TRANSPORT`);
    }
  }
}
