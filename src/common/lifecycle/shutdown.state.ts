import { Injectable } from '@nestjs/common';

/**
 * Whether this process has begun to shut down. Set once, on SIGTERM or SIGINT, before anything closes:
 * readiness answers 503 from then on, and listeners on a remote transport refuse new messages.
 */
@Injectable()
export class ShutdownState {
  private began = false;
  private readonly listeners: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.began;
  }

  begin(): void {
    if (this.began) return;
    this.began = true;
    this.listeners.splice(0).forEach((listener) => listener());
  }

  /** Runs `listener` when shutdown begins (at once if it has): e.g. a listener leaving its queue groups. */
  onBegin(listener: () => void): void {
    if (this.began) listener();
    else this.listeners.push(listener);
  }
}

/** The process's one instance: transports are built outside the Nest container and read it too. */
export const processShutdown = new ShutdownState();
