import { CustomTransportStrategy, IncomingRequest, MessageHandler, Server } from '@nestjs/microservices';
import { isObservable } from 'rxjs';
import { finalize } from 'rxjs/operators';
import { InProcessBroker, InProcessReceiver } from './in-process.broker.js';
import { InProcessContext } from './in-process.context.js';
import { copyAsJson } from './json.copy.js';
import { MessageDrain } from '../lifecycle/message.drain.js';
import { wrapHandler } from './handler.wrapper.js';

/** Same text the TCP transport answers with for a pattern nobody handles. */
export const NO_MESSAGE_HANDLER = 'There is no matching message handler defined in the remote service.';

/**
 * Serves message patterns to clients in the same process. Every packet arrives as a copy of what the
 * TCP transport would put on the socket and every reply leaves as such a copy (copyAsJson), so what a
 * handler can receive and return is exactly what it could over TCP.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  override readonly transportId = Symbol('IN_PROCESS');
  private readonly receiver: InProcessReceiver = (packet, reply) => this.handleMessage(packet, reply);

  constructor(
    readonly name: string,
    private readonly broker: InProcessBroker = InProcessBroker.default,
    private readonly drain = new MessageDrain(),
  ) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  /** Payloads are checked against the input limits exactly as on the TCP and Redis listeners, and counted by the drain. */
  override addHandler(pattern: any, callback: MessageHandler, isEventHandler = false, extras: Record<string, any> = {}): void {
    super.addHandler(pattern, wrapHandler(callback, isEventHandler, this.drain), isEventHandler, extras);
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    try {
      this.broker.register(this.name, this.receiver);
    } catch (err) {
      return callback(err);
    }
    this._status$.next('connected');
    callback();
  }

  /** Once the messages in flight are answered: the HTTP requests this process is finishing may still send some. */
  async close(): Promise<void> {
    await this.drain.settled();
    this.broker.unregister(this.name, this.receiver);
    this._status$.next('disconnected');
  }

  on(): void {
    throw new Error('The in-process transport emits no events');
  }

  unwrap<T>(): T {
    throw new Error('The in-process transport has no underlying server');
  }

  private async handleMessage(received: unknown, reply: (response: unknown) => void): Promise<void> {
    // The stock deserializer answers synchronously; a custom one could not be configured here.
    const packet = this.deserializer.deserialize(received) as IncomingRequest;
    const pattern = this.getPatternAsString(packet.pattern);
    const context = new InProcessContext([pattern, packet.metadata]);
    if (packet.id === undefined) {
      return this.handleEvent(pattern, packet, context);
    }
    const send = (data: object) => reply(copyAsJson(this.serializer.serialize({ ...data, id: packet.id })));
    // Handlers are registered under their string pattern: look it up as it is. Only a pattern that is
    // not found goes through Nest's lookup, which first tries to read the pattern as JSON (an object
    // pattern sent as text) and throws on every plain string.
    const handler = this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
    if (!handler) {
      return send({ status: 'error', err: NO_MESSAGE_HANDLER });
    }
    return this.runWithProcessingHooks(context, async (runEndHook) => {
      const result: unknown = await handler(packet.data, context);
      if (isObservable(result)) {
        // A stream, or a failure the exception filter turned into one: Nest's own reply loop, value by value.
        this.send(result.pipe(finalize(runEndHook)), (data) => send(data));
        return;
      }
      // A plain value: the one packet Nest's loop would send for it, without the Observable around it.
      runEndHook();
      send({ response: result, isDisposed: true });
    });
  }
}
