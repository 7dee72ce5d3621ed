import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuth1763700000002 implements MigrationInterface {
  name = 'CreateAuth1763700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."credentials" (
        "user_id" uuid PRIMARY KEY,
        "email" varchar(254) NOT NULL CONSTRAINT "credentials_email_key" UNIQUE,
        "password_hash" varchar(255) NOT NULL,
        "role" varchar(8) NOT NULL CONSTRAINT "credentials_role_known" CHECK ("role" IN ('user', 'admin')),
        "status" varchar(8) NOT NULL CONSTRAINT "credentials_status_known" CHECK ("status" IN ('pending', 'active')),
        "version" integer NOT NULL DEFAULT 1 CONSTRAINT "credentials_version_positive" CHECK ("version" >= 1),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "credentials_email_lower" CHECK ("email" = lower("email"))
      )`);
    await q.query(`
      CREATE TABLE "auth"."refresh_tokens" (
        "id" uuid PRIMARY KEY,
        "family_id" uuid NOT NULL,
        "user_id" uuid NOT NULL REFERENCES "auth"."credentials" ("user_id") ON DELETE CASCADE,
        "token_hash" char(64) NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "rotated_at" timestamptz,
        "revoked_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "refresh_tokens_family" ON "auth"."refresh_tokens" ("family_id")`);
    await q.query(`CREATE INDEX "refresh_tokens_user" ON "auth"."refresh_tokens" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."refresh_tokens"`);
    await q.query(`DROP TABLE "auth"."credentials"`);
  }
}
