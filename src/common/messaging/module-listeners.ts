import type { Socket } from 'node:net';
import { MessageHandler, ServerRedis, ServerTCP, TcpSocket } from '@nestjs/microservices';
import type { RedisOptions, TcpOptions } from '@nestjs/microservices';
import type { readTcpListenerSettings } from '../config/settings.js';
import { inputProblemError, inspectInput } from '../validation/input.limits.js';
import { guardPayload, patternModule } from './payload.guard.js';
import { frameLimitedSocket } from './tcp-frame.socket.js';

export type TcpListenerLimits = ReturnType<typeof readTcpListenerSettings>;

/**
 * A module's TCP listener: registers only the handlers of `modules` (a handler's module is its
 * pattern's prefix), so the port answers no other module's patterns; bounds frames and connections;
 * and answers a packet outside INPUT_LIMITS (pattern, metadata or payload) with an error.
 */
export class ModuleTcpServer extends ServerTCP {
  private closing = false;

  constructor(
    private readonly modules: readonly string[],
    options: Required<TcpOptions>['options'],
    limits: TcpListenerLimits,
  ) {
    super({ ...options, socketClass: frameLimitedSocket(limits.maxFrameChars) });
    this.server.maxConnections = limits.maxConnections;
  }

  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    if (!this.modules.includes(patternModule(this.getPatternAsString(pattern)))) return;
    super.addHandler(pattern, guardPayload(callback, isEventHandler), isEventHandler, extras);
  }

  /**
   * Ends each connection instead of destroying it at once, and resolves once the peers have them closed
   * (at most a second, then what is left is destroyed): the replies already written, the last ones of a
   * drained shutdown, reach their callers before the process exits.
   */
  override async close(): Promise<void> {
    const self = this as unknown as { openSockets: Set<Socket>; isManuallyTerminated: boolean; pendingEventListeners: unknown[] };
    self.isManuallyTerminated = true;
    self.pendingEventListeners = [];
    this.closing = true;
    this.server.close();
    const sockets = [...self.openSockets];
    self.openSockets.clear();
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      const timer = setTimeout(() => socket.destroy(), 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    })));
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
 * A Redis listener for the modules that share one Redis URL: it subscribes only to their patterns'
 * channels, and checks payloads against INPUT_LIMITS like every listener.
 */
export class ModuleRedisServer extends ServerRedis {
  constructor(
    private readonly modules: readonly string[],
    options: Required<RedisOptions>['options'],
  ) {
    super(options);
  }

  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    if (!this.modules.includes(patternModule(this.getPatternAsString(pattern)))) return;
    super.addHandler(pattern, guardPayload(callback, isEventHandler), isEventHandler, extras);
  }
}
