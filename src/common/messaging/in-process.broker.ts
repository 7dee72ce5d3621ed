/**
 * The receiving end of an in-process server: takes one packet, answers with reply packets. Both are
 * copies made by copyAsJson, so neither side shares an object with the other.
 */
export type InProcessReceiver = (packet: unknown, reply: (response: unknown) => void) => Promise<void>;

/**
 * Where in-process servers are found by name. It stands in for the network: a client whose server is
 * not registered gets the same "cannot connect" outcome a refused TCP connection gives.
 */
export class InProcessBroker {
  static readonly default = new InProcessBroker();
  private readonly receivers = new Map<string, InProcessReceiver>();

  register(name: string, receiver: InProcessReceiver): void {
    if (this.receivers.has(name)) throw new Error(`An in-process server named "${name}" is already listening`);
    this.receivers.set(name, receiver);
  }

  unregister(name: string, receiver: InProcessReceiver): void {
    if (this.receivers.get(name) === receiver) this.receivers.delete(name);
  }

  lookup(name: string): InProcessReceiver | undefined {
    return this.receivers.get(name);
  }
}
