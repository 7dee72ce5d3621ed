import type { QueryRunner } from 'typeorm';

/**
 * The outbox and inbox of one module schema, as of their first version. Each module's migration calls
 * this for its own schema; a later change to these tables is a new function and new migrations.
 */
export async function createEventTablesV1(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`
    CREATE TABLE "${schema}"."outbox" (
      "seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "event_id" uuid NOT NULL,
      "consumer" varchar(63) NOT NULL,
      "name" varchar(127) NOT NULL,
      "aggregate_id" varchar(128) NOT NULL,
      "payload" jsonb NOT NULL,
      "occurred_at" timestamptz NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
      "delivered_at" timestamptz,
      "parked_at" timestamptz,
      "last_error" varchar(500),
      CONSTRAINT "outbox_event_consumer" UNIQUE ("event_id", "consumer")
    )`);
  await q.query(
    `CREATE INDEX "outbox_undelivered" ON "${schema}"."outbox" ("consumer", "seq") WHERE "delivered_at" IS NULL AND "parked_at" IS NULL`,
  );
  await q.query(`
    CREATE TABLE "${schema}"."inbox" (
      "event_id" uuid PRIMARY KEY,
      "name" varchar(127) NOT NULL,
      "producer" varchar(63) NOT NULL,
      "received_at" timestamptz NOT NULL DEFAULT now()
    )`);
}

/** The module's copy of every account's latest credential version, fed by the issuer's events. */
export async function createCredentialCopyV1(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`
    CREATE TABLE "${schema}"."credential_versions" (
      "user_id" uuid PRIMARY KEY,
      "version" integer NOT NULL,
      "role" varchar(32) NOT NULL,
      "active" boolean NOT NULL,
      "revision" bigserial NOT NULL
    )`);
  await q.query(`CREATE INDEX "credential_versions_revision" ON "${schema}"."credential_versions" ("revision")`);
}

/**
 * Version 2, for replicas and bounded tables: a parked event holds back its aggregate (found by a
 * partial index of parked rows), delivered outbox rows and inbox rows are deleted by age (indexes on
 * their times), and the credential copy is followed by transaction id instead of a sequence, which a
 * transaction that commits late would let a reader skip.
 */
export async function upgradeEventTablesV2(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`CREATE INDEX "outbox_parked" ON "${schema}"."outbox" ("consumer", "aggregate_id", "seq") WHERE "parked_at" IS NOT NULL`);
  await q.query(`CREATE INDEX "outbox_delivered_at" ON "${schema}"."outbox" ("delivered_at") WHERE "delivered_at" IS NOT NULL`);
  await q.query(`CREATE INDEX "inbox_received_at" ON "${schema}"."inbox" ("received_at")`);
}

export async function downgradeEventTablesV2(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`DROP INDEX "${schema}"."outbox_parked", "${schema}"."outbox_delivered_at", "${schema}"."inbox_received_at"`);
}

/**
 * The credential copy records the id of the transaction that last changed each row; a reader takes
 * every row changed by a transaction at or after the oldest one still running when it last read.
 */
export async function upgradeCredentialCopyV2(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`ALTER TABLE "${schema}"."credential_versions" ADD COLUMN "changed_xid" xid8 NOT NULL DEFAULT pg_current_xact_id()`);
  await q.query(`DROP INDEX "${schema}"."credential_versions_revision"`);
  await q.query(`ALTER TABLE "${schema}"."credential_versions" DROP COLUMN "revision"`);
  await q.query(`CREATE INDEX "credential_versions_changed" ON "${schema}"."credential_versions" ("changed_xid")`);
}

export async function downgradeCredentialCopyV2(q: QueryRunner, schema: string): Promise<void> {
  await q.query(`DROP INDEX "${schema}"."credential_versions_changed"`);
  await q.query(`ALTER TABLE "${schema}"."credential_versions" DROP COLUMN "changed_xid"`);
  await q.query(`ALTER TABLE "${schema}"."credential_versions" ADD COLUMN "revision" bigserial NOT NULL`);
  await q.query(`CREATE INDEX "credential_versions_revision" ON "${schema}"."credential_versions" ("revision")`);
}
