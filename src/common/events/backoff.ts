/** Exponential backoff for one unreachable peer: how long to leave it alone before trying again. */
export class Backoff {
  private failures = 0;
  private until = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {}

  get ready(): boolean {
    return Date.now() >= this.until;
  }

  /** Milliseconds until the peer may be tried again. */
  get remainingMs(): number {
    return Math.max(0, this.until - Date.now());
  }

  fail(): void {
    this.until = Date.now() + Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
  }

  succeed(): void {
    this.failures = 0;
    this.until = 0;
  }
}
