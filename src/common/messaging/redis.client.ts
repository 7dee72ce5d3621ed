import { ClientRedis, ReadPacket, RedisOptions, WritePacket } from '@nestjs/microservices';
import { namespaced } from '../config/topology.js';

/**
 * The stock Redis client, except that a request nobody is subscribed to fails at once (Redis pub/sub
 * drops such a message silently, so without this the caller would wait out the whole deadline while
 * the target module is down), and that channels carry the deployment's namespace (BUS_NAMESPACE).
 */
export class RedisRequestClient extends ClientRedis {
  constructor(
    private readonly namespace: string,
    options: Required<RedisOptions>['options'],
  ) {
    super(options);
  }

  override getRequestPattern(pattern: string): string {
    return namespaced(this.namespace, pattern);
  }

  override getReplyPattern(pattern: string): string {
    return `${namespaced(this.namespace, pattern)}.reply`;
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pub = this.pubClient;
    if (!pub || (pub as { requestGuarded?: boolean }).requestGuarded) return super.publish(partialPacket, callback);
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    Object.assign(pub, {
      requestGuarded: true,
      publish: (channel: string, message: string) => {
        const sent = publish(channel, message);
        sent.then(
          (receivers) => (receivers === 0 ? this.failUndelivered(channel, message) : undefined),
          () => undefined,
        );
        return sent;
      },
    });
    return super.publish(partialPacket, callback);
  }

  private failUndelivered(channel: string, message: string): void {
    let id: unknown;
    try {
      id = (JSON.parse(message) as { id?: unknown }).id;
    } catch {
      return;
    }
    const callback = typeof id === 'string' ? this.routingMap.get(id) : undefined;
    callback?.({ err: new Error(`No process is subscribed to "${channel}"`), isDisposed: true });
  }
}
