import type { MigrationInterface, QueryRunner } from 'typeorm';
import { downgradeEventTablesV2, upgradeEventTablesV2 } from '../shared/event-tables.js';

/**
 * Event tables bounded by age; refresh tokens deleted once expired (an index on expiry); failed
 * sign-in attempts counted in the schema, so every auth process sees the same count.
 */
export class AuthReplicas1764900000002 implements MigrationInterface {
  name = 'AuthReplicas1764900000002';

  async up(q: QueryRunner): Promise<void> {
    await upgradeEventTablesV2(q, 'auth');
    await q.query(`CREATE INDEX "refresh_tokens_expires_at" ON "auth"."refresh_tokens" ("expires_at")`);
    await q.query(`
      CREATE TABLE "auth"."failed_attempts" (
        "account" varchar(300) PRIMARY KEY,
        "failures" integer NOT NULL CONSTRAINT "failed_attempts_positive" CHECK ("failures" >= 1),
        "window_ends_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "failed_attempts_window_ends_at" ON "auth"."failed_attempts" ("window_ends_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."failed_attempts"`);
    await q.query(`DROP INDEX "auth"."refresh_tokens_expires_at"`);
    await downgradeEventTablesV2(q, 'auth');
  }
}
