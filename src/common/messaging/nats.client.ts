import { ClientNats, type NatsOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { namespaced } from '../config/topology.js';

type NatsMsg = { data: Uint8Array; json<T>(): T; headers?: unknown };
type NatsConnection = {
  request(subject: string, payload: string, options: { timeout: number; headers?: unknown }): Promise<NatsMsg>;
};

/** A request that found no process subscribed: NATS answers at once instead of letting it time out. */
const isNoResponders = (err: unknown) =>
  (err as { name?: string })?.name === 'NoRespondersError' ||
  (typeof (err as { isNoResponders?: () => boolean })?.isNoResponders === 'function' &&
    (err as { isNoResponders: () => boolean }).isNoResponders());

/**
 * The stock NATS client with three differences:
 * - requests go through the connection's request API, which shares one reply subscription for every
 *   request instead of subscribing and unsubscribing an inbox per request, and fails at once (rather
 *   than at the deadline) when no process hosts the module;
 * - subjects carry the deployment's namespace (BUS_NAMESPACE), so deployments that share a NATS server
 *   never reach each other's modules;
 * - the packet (pattern, data, metadata) travels as the JSON body, as on the other transports.
 */
export class NatsRequestClient extends ClientNats {
  constructor(
    private readonly namespace: string,
    options: Required<NatsOptions>['options'],
    /** An upper bound only: the bus channel's deadline ends the wait sooner. */
    private readonly requestTimeoutMs: number,
  ) {
    super(options);
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const packet = this.assignPacketId(partialPacket);
    let active = true;
    try {
      const subject = namespaced(this.namespace, this.normalizePattern(packet.pattern));
      const { data, headers } = this.serializer.serialize(packet) as { data: string; headers?: unknown };
      const connection = this.natsClient as unknown as NatsConnection;
      connection.request(subject, data, { timeout: this.requestTimeoutMs, headers: this.mergeHeaders(headers) }).then(
        async (msg) => {
          if (!active) return;
          const { err, response } = (await this.deserializer.deserialize(msg)) as WritePacket;
          callback({ err, response, isDisposed: true });
        },
        (err: unknown) => {
          if (!active) return;
          callback({ err: isNoResponders(err) ? new Error(`No process hosts "${subject}"`) : err, isDisposed: true });
        },
      );
    } catch (err) {
      callback({ err, isDisposed: true });
    }
    return () => {
      active = false;
    };
  }

  protected override async dispatchEvent(packet: ReadPacket): Promise<void> {
    await super.dispatchEvent({ ...packet, pattern: namespaced(this.namespace, this.normalizePattern(packet.pattern)) });
  }
}
