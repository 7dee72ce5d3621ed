import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1763700000001 implements MigrationInterface {
  name = 'CreateOrders1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "orders"."orders" (
        "id" uuid PRIMARY KEY,
        "seq" bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        "user_id" uuid NOT NULL,
        "status" varchar(16) NOT NULL CONSTRAINT "orders_status_known" CHECK ("status" IN ('pending', 'cancelled')),
        "items" jsonb NOT NULL CONSTRAINT "orders_items_array" CHECK (jsonb_typeof("items") = 'array'),
        "total_cents" bigint NOT NULL CONSTRAINT "orders_total_non_negative" CHECK ("total_cents" >= 0),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "orders_user_seq" ON "orders"."orders" ("user_id", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orders"."orders"`);
  }
}
