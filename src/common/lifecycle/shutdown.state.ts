import { Injectable } from '@nestjs/common';

/**
 * Whether this process has begun to shut down. Set once, on SIGTERM or SIGINT, before anything closes:
 * readiness answers 503 from then on, and listeners on a remote transport refuse new messages.
 */
@Injectable()
export class ShutdownState {
  private began = false;

  get shuttingDown(): boolean {
    return this.began;
  }

  begin(): void {
    this.began = true;
  }
}

/** The process's one instance: transports are built outside the Nest container and read it too. */
export const processShutdown = new ShutdownState();
