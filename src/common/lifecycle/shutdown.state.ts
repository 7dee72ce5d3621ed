import { Injectable } from '@nestjs/common';

/**
 * Where this process is in its shutdown. Two steps, both set once:
 *
 * - `leaving`, on SIGTERM or SIGINT: readiness answers 503 and every HTTP response closes its
 *   connection, while requests and messages are still served as usual, so a load balancer has time to
 *   see the process go unready and stop sending to it (SHUTDOWN_READINESS_DELAY_MS);
 * - `shuttingDown`, once that delay is over: the HTTP server stops accepting and listeners on a remote
 *   transport refuse new messages while what they accepted finishes.
 */
@Injectable()
export class ShutdownState {
  private left = false;
  private began = false;

  get leaving(): boolean {
    return this.left;
  }

  get shuttingDown(): boolean {
    return this.began;
  }

  leave(): void {
    this.left = true;
  }

  begin(): void {
    this.left = true;
    this.began = true;
  }
}

/** The process's one instance: transports are built outside the Nest container and read it too. */
export const processShutdown = new ShutdownState();
