import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { InProcessBroker, InProcessReceiver } from './in-process.broker.js';
import { copyAsJson } from './json.copy.js';

/** How a request ends: the decoded error the server answered with (or a delivery failure), or the decoded reply. */
export type ReplyCallback = (err: unknown, response?: unknown) => void;

/**
 * Sends to an InProcessServer by name. Requests and replies are copied as the TCP transport's JSON text
 * would carry them (copyAsJson), and delivery is asynchronous, as with the TCP client.
 *
 * `request` is the path BusChannel takes: the same packet and the same encoding as `send`, without
 * the Observable around it. `send` (ClientProxy's Observable API) stays for any other caller.
 */
export class InProcessClient extends ClientProxy {
  private receiver: InProcessReceiver | undefined;
  /** Packet ids only pair a reply with its request inside this process: a counter does that. */
  private sequence = 0;

  constructor(
    readonly name: string,
    private readonly broker: InProcessBroker = InProcessBroker.default,
  ) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  async connect(): Promise<void> {
    this.receiver = this.broker.lookup(this.name);
    if (!this.receiver) {
      this._status$.next('disconnected');
      throw this.refused();
    }
    this._status$.next('connected');
  }

  close(): void {
    this.receiver = undefined;
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    throw new Error('The in-process transport has no underlying connection');
  }

  /**
   * Sends one request and calls `done` once, with its first answer: what BusChannel reads. Returns a
   * function that makes a late answer go nowhere (the caller gave up, e.g. at its deadline).
   */
  request(pattern: string, data: unknown, done: ReplyCallback): () => void {
    let pending = true;
    const stop = this.deliver(this.createPacket(pattern, data), ({ err, response }) => {
      if (!pending) return;
      pending = false;
      stop();
      done(err || undefined, response);
    });
    return stop;
  }

  /** ClientProxy's path: every answer a streaming handler gives reaches the Observable, as over TCP. */
  protected publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    return this.deliver(partialPacket, (packet) => callback(packet.err || packet.isDisposed ? { ...packet, isDisposed: true } : packet));
  }

  /** Copies the packet (its metadata already set), hands it to the server once the caller's stack has unwound, and decodes each answer. */
  private deliver(packet: ReadPacket, onAnswer: (packet: WritePacket) => void): () => void {
    let active = true;
    const fail = (err: unknown) => queueMicrotask(() => active && onAnswer({ err, isDisposed: true }));
    const receiver = this.receiver ?? this.broker.lookup(this.name);
    if (!receiver) {
      fail(this.refused());
      return () => (active = false);
    }
    let copied: unknown;
    try {
      copied = this.encode(packet);
    } catch (err) {
      fail(err);
      return () => (active = false);
    }
    // A microtask, not a turn of the event loop (setImmediate): the handler still never runs inside
    // the caller's own stack, as with a socket, but the call does not wait behind pending I/O.
    queueMicrotask(() => {
      receiver(copied, (answer) => {
        if (active) onAnswer(this.deserializer.deserialize(answer) as WritePacket);
      }).catch((err: unknown) => {
        if (active) onAnswer({ err, isDisposed: true });
      });
    });
    return () => (active = false);
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const copied = copyAsJson(this.serializer.serialize(packet));
    const receiver = this.receiver ?? this.broker.lookup(this.name);
    if (!receiver) throw this.refused();
    // Like a socket write, the event is handed over and the caller does not wait for its handlers.
    setImmediate(() => void receiver(copied, () => undefined).catch(() => undefined));
    return undefined as T;
  }

  private encode(packet: ReadPacket): unknown {
    return copyAsJson(this.serializer.serialize({ ...packet, id: String(++this.sequence) }));
  }

  private refused(): Error {
    return Object.assign(new Error(`No in-process server named "${this.name}" is listening`), { code: 'ECONNREFUSED' });
  }
}
