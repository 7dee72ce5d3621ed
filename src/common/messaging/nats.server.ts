import { type MessageHandler, NatsContext, type NatsOptions, type PacketMetadata, ServerNats } from '@nestjs/microservices';
import { namespaced } from '../config/topology.js';
import { CommonErrors } from '../errors/common.errors.js';
import { inputProblemError, inspectInput } from '../validation/input.limits.js';
import { NO_MESSAGE_HANDLER } from './in-process.server.js';
import { MessageDrain } from '../lifecycle/message.drain.js';
import { wrapHandler } from './handler.wrapper.js';
import { patternModule } from './payload.guard.js';

type NatsMsg = { subject: string; reply?: string; headers?: unknown; json<T>(): T; respond(data: string): boolean };
type NatsSubscription = { drain(): Promise<void> };
type NatsConnection = {
  subscribe(subject: string, options: { queue: string; callback: (err: Error | null, msg: NatsMsg) => void }): NatsSubscription;
};
type Packet = { id?: unknown; pattern?: unknown; data?: unknown; metadata?: PacketMetadata };

/** The RPC context of a NATS message: NestJS's, plus the pattern and the packet metadata the other transports offer. */
export class NatsPacketContext extends NatsContext {
  constructor(
    subject: string,
    headers: unknown,
    private readonly pattern: string,
    private readonly metadata: PacketMetadata | undefined,
  ) {
    super([subject, headers]);
  }

  getPattern(): string {
    return this.pattern;
  }

  getMetadata(): PacketMetadata | undefined {
    return this.metadata;
  }
}

/**
 * A NATS listener for the modules that share one NATS URL. Every process hosting a module subscribes
 * to the module's subjects in the module's queue group, so NATS hands each request to exactly one of them.
 * Subjects carry the deployment's namespace; payloads are checked against INPUT_LIMITS as on every
 * listener. `stopReceiving()` leaves the queue groups (the other processes get every new request) while
 * the messages already taken are finished.
 */
export class ModuleNatsServer extends ServerNats {
  private readonly queueSubscriptions: NatsSubscription[] = [];

  constructor(
    private readonly modules: readonly string[],
    private readonly namespace: string,
    options: Required<NatsOptions>['options'],
    private readonly drain = new MessageDrain(),
  ) {
    super(options);
  }

  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    if (!this.modules.includes(patternModule(this.getPatternAsString(pattern)))) return;
    super.addHandler(pattern, wrapHandler(callback, isEventHandler, this.drain), isEventHandler, extras);
  }

  /**
   * Leaves the queue groups first, so the module's other processes take every new message, then
   * finishes what this one took before the connection closes.
   */
  override async close(): Promise<void> {
    await this.stopReceiving();
    await this.drain.settled();
    await super.close();
  }

  /**
   * One subscription per module, to every subject under its name (`<namespace>.<module>.>`), in the
   * module's queue group: a pattern the module does not handle is answered as unknown, as on the other
   * transports, instead of finding nobody to answer.
   */
  override bindEvents(client: NatsConnection): void {
    const strip = this.namespace ? this.namespace.length + 1 : 0;
    for (const module of this.modules) {
      this.queueSubscriptions.push(
        client.subscribe(`${namespaced(this.namespace, module)}.>`, {
          queue: module,
          callback: (err, msg) => {
            if (err) return this.logger.error(err);
            this.handlePacket(msg.subject.slice(strip), msg).catch((e: unknown) => this.handleError(e as string));
          },
        }),
      );
    }
  }

  /** Leaves every queue group; messages already received are still handled and answered. */
  async stopReceiving(): Promise<void> {
    const subscriptions = this.queueSubscriptions.splice(0);
    await Promise.all(subscriptions.map((s) => s.drain().catch(() => undefined)));
  }

  private async handlePacket(pattern: string, msg: NatsMsg): Promise<void> {
    let packet: Packet;
    try {
      packet = msg.json<Packet>();
    } catch {
      return this.refuse(msg, undefined, { ...CommonErrors.MALFORMED_REQUEST, message: 'The message is not valid JSON' });
    }
    const problem = inspectInput(packet);
    if (problem || packet === null || typeof packet !== 'object') {
      const id = (packet as Packet | null)?.id;
      const body = problem
        ? inputProblemError(problem).toBody()
        : { ...CommonErrors.MALFORMED_REQUEST, message: 'The message is not a packet' };
      return this.refuse(msg, typeof id === 'string' ? id : undefined, body);
    }
    const context = new NatsPacketContext(msg.subject, msg.headers, pattern, packet.metadata);
    if (packet.id === undefined) {
      return this.handleEvent(pattern, { pattern, data: packet.data }, context);
    }
    const id = packet.id;
    const respond = (response: object) => {
      if (msg.reply) msg.respond(JSON.stringify({ ...response, id }));
    };
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) return respond({ status: 'error', err: NO_MESSAGE_HANDLER });
    return this.handleRequest(context, async () => this.transformToObservable(await handler(packet.data, context)), respond);
  }

  private refuse(msg: NatsMsg, id: string | undefined, err: object): void {
    if (msg.reply) msg.respond(JSON.stringify({ id, err, isDisposed: true, status: 'error' }));
  }
}
