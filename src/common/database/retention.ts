import { Global, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { retentionConfig } from '../config/settings.js';

/** Rows of one table that have served their purpose: `where` selects them (SQL over the table's columns). */
export interface Sweep {
  /** Schema-qualified and quoted, e.g. `"orders"."idempotency_keys"`. */
  table: string;
  where: string;
  params?: unknown[];
}

export const retentionDeleted = new Counter({
  name: 'retention_deleted_rows_total',
  help: 'Rows deleted by the retention schedule, by table',
  labelNames: ['table'] as const,
});

/**
 * Deletes what tables no longer need, every RETENTION_INTERVAL_MS: modules register their sweeps (the
 * events module its delivered outbox rows and old inbox rows, auth its expired refresh tokens, orders
 * its expired idempotency keys). Each batch of at most RETENTION_BATCH rows is one short transaction,
 * so a sweep never holds long locks; a replica that finds another sweeping the same table skips it.
 */
@Injectable()
export class RetentionSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly sweeps: Array<{ dataSource: DataSource; sweep: Sweep }> = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(@Inject(retentionConfig.KEY) private readonly settings: ConfigType<typeof retentionConfig>) {}

  add(dataSource: DataSource, sweep: Sweep): void {
    this.sweeps.push({ dataSource, sweep });
  }

  onApplicationBootstrap(): void {
    if (this.settings.intervalMs === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweepAll()
        .catch((err: unknown) => this.logger.warn({ err }, 'A retention sweep failed; it runs again at the next interval'))
        .finally(() => (this.running = undefined));
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every sweep to the end once; resolves the rows deleted per table. */
  async sweepAll(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const { dataSource, sweep } of this.sweeps) {
      deleted[sweep.table] = (deleted[sweep.table] ?? 0) + (await this.sweep(dataSource, sweep));
    }
    return deleted;
  }

  private async sweep(dataSource: DataSource, { table, where, params = [] }: Sweep): Promise<number> {
    const batch = this.settings.batch;
    let total = 0;
    for (;;) {
      const deleted = await dataSource.transaction(async (manager) => {
        const [{ locked }]: Array<{ locked: boolean }> = await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
          `retention:${table}`,
        ]);
        if (!locked) return 0;
        const [, count]: [unknown, number] = await manager.query(
          `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${where} LIMIT ${batch}))`,
          params,
        );
        return count;
      });
      total += deleted;
      if (deleted < batch) break;
    }
    if (total) {
      retentionDeleted.inc({ table }, total);
      this.logger.log({ table, deleted: total }, 'Deleted rows past their retention');
    }
    return total;
  }
}

/** The process's one retention schedule, which every module core registers its sweeps with. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(retentionConfig)],
  providers: [RetentionSchedule],
  exports: [RetentionSchedule],
})
export class RetentionModule {}
