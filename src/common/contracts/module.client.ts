import type { BusChannel } from '../messaging/bus-channel.js';
import { mayRetry, type Operation } from './operation.js';

/** A call of one operation; the payload may be left out when every field of the request is optional. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends Req` holds exactly when every field of Req is optional
export type OperationCall<Req, Rep> = {} extends Req ? (request?: Req) => Promise<Rep> : (request: Req) => Promise<Rep>;

/**
 * Base of a module's typed client: each method is one line, `readonly get = this.call(UsersOperations.get)`,
 * so its types, its pattern and whether a failed call is retried all come from the declaration.
 * Failures reject with a DomainError.
 */
export abstract class ModuleClient {
  constructor(protected readonly channel: BusChannel) {}

  protected call<Req extends object, Rep>(operation: Operation<Req, Rep>): OperationCall<Req, Rep> {
    const call = (request: Req = {} as Req) =>
      this.channel.send<Rep>(operation.pattern, request, { idempotent: mayRetry(operation, request) });
    return call as OperationCall<Req, Rep>;
  }
}
