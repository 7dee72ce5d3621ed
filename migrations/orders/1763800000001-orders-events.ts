import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCredentialCopyV1, createEventTablesV1 } from '../shared/event-tables.js';

export class OrdersEvents1763800000001 implements MigrationInterface {
  name = 'OrdersEvents1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await createEventTablesV1(q, 'orders');
    await createCredentialCopyV1(q, 'orders');
    // Why an order was cancelled: by its owner, or because the account went away.
    await q.query(`ALTER TABLE "orders"."orders" ADD COLUMN "cancel_reason" varchar(32)
      CONSTRAINT "orders_cancel_reason_known" CHECK ("cancel_reason" IN ('requested', 'account-deleted'))`);
    // A client's Idempotency-Key on POST /v1/orders: the first request's fingerprint and answer, for 24 hours.
    await q.query(`
      CREATE TABLE "orders"."idempotency_keys" (
        "user_id" uuid NOT NULL,
        "key" varchar(255) NOT NULL,
        "fingerprint" char(64) NOT NULL,
        "order_id" uuid,
        "response" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("user_id", "key")
      )`);
    await q.query(`CREATE INDEX "idempotency_keys_created" ON "orders"."idempotency_keys" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orders"."idempotency_keys", "orders"."credential_versions", "orders"."inbox", "orders"."outbox"`);
    await q.query(`ALTER TABLE "orders"."orders" DROP COLUMN "cancel_reason"`);
  }
}
