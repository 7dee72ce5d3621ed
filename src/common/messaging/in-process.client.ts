import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { InProcessBroker, InProcessReceiver } from './in-process.broker.js';

/**
 * Sends to an InProcessServer by name. Requests and replies are JSON-encoded on the way out and
 * decoded on the way in, and delivery is asynchronous, as with the TCP client.
 */
export class InProcessClient extends ClientProxy {
  private receiver: InProcessReceiver | undefined;

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
      throw Object.assign(new Error(`No in-process server named "${this.name}" is listening`), { code: 'ECONNREFUSED' });
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

  protected publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let active = true;
    try {
      const packet = this.assignPacketId(partialPacket);
      const encoded = JSON.stringify(this.serializer.serialize(packet));
      const receiver = this.requireReceiver();
      setImmediate(() => {
        receiver(encoded, (response) => {
          if (active) void this.handleResponse(response, callback);
        }).catch((err) => {
          if (active) callback({ err, isDisposed: true });
        });
      });
    } catch (err) {
      callback({ err });
    }
    return () => {
      active = false;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const encoded = JSON.stringify(this.serializer.serialize(packet));
    const receiver = this.requireReceiver();
    // Like a socket write, the event is handed over and the caller does not wait for its handlers.
    setImmediate(() => void receiver(encoded, () => undefined).catch(() => undefined));
    return undefined as T;
  }

  private async handleResponse(encoded: string, callback: (packet: WritePacket) => void): Promise<void> {
    const { err, response, isDisposed } = await this.deserializer.deserialize(JSON.parse(encoded));
    callback(isDisposed || err ? { err, response, isDisposed: true } : { err, response });
  }

  private requireReceiver(): InProcessReceiver {
    const receiver = this.receiver ?? this.broker.lookup(this.name);
    if (!receiver) throw new Error(`No in-process server named "${this.name}" is listening`);
    return receiver;
  }
}
