import type { ClientProxy } from '@nestjs/microservices';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';

const callMetadata = new AsyncLocalStorage<Record<string, string>>();

/** Sends one message with its own packet metadata (an access token, a correlation id...). */
export type SendWithMetadata = <T>(pattern: string, data: object, metadata?: Record<string, string>) => Observable<T>;

/**
 * Lets a stock ClientProxy send each message with its own packet metadata, as a caller on the network
 * would. The proxy builds a packet only after it has awaited its connection, when other calls may
 * already have started, so the metadata travels with the call (its async context), never through a
 * variable that concurrent calls share.
 */
export function sendWithMetadata(client: ClientProxy): SendWithMetadata {
  client.setOnDispatchHook((packet) => {
    packet.metadata = callMetadata.getStore() ?? {};
  });
  return <T>(pattern: string, data: object, metadata: Record<string, string> = {}) =>
    new Observable<T>((subscriber) => callMetadata.run(metadata, () => client.send<T>(pattern, data).subscribe(subscriber)));
}
