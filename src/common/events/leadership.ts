import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Lets one process at a time move a module's events when several replicas share its PostgreSQL schema,
 * so events keep their order: a session advisory lock, held on a dedicated connection while it lives.
 * The embedded database belongs to one process, which always leads.
 */
export class Leadership {
  private readonly logger = new Logger('Leadership');
  private runner: QueryRunner | undefined;
  private leading = false;
  private nextTry = 0;
  private trying: Promise<boolean> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly key: string,
    private readonly retryMs = 2000,
  ) {}

  private get embedded(): boolean {
    return !(this.dataSource.options as { url?: string }).url;
  }

  /** Whether this process leads now; tries to become the leader at most every `retryMs`. */
  lead(): Promise<boolean> {
    if (this.embedded || this.leading) return Promise.resolve(true);
    this.trying ??= this.tryToLead().finally(() => (this.trying = undefined));
    return this.trying;
  }

  private async tryToLead(): Promise<boolean> {
    if (Date.now() < this.nextTry) return false;
    this.nextTry = Date.now() + this.retryMs;
    try {
      this.runner ??= this.dataSource.createQueryRunner();
      await this.runner.connect();
      const [row]: Array<{ locked: boolean }> = await this.runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.key]);
      this.leading = row.locked;
      if (this.leading) this.logger.log({ key: this.key }, 'This process now relays these events');
    } catch (err) {
      this.logger.warn({ err, key: this.key }, 'Could not take the relay lock');
      await this.resign();
    }
    return this.leading;
  }

  /** Gives up the lead (the lock goes with its connection), e.g. after the connection failed. */
  async resign(): Promise<void> {
    this.leading = false;
    const runner = this.runner;
    this.runner = undefined;
    await runner?.release().catch(() => undefined);
  }
}
