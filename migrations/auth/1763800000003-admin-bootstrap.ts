import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Steps that happen once in the life of the auth schema, such as granting the first admin. */
export class AdminBootstrap1763800000003 implements MigrationInterface {
  name = 'AdminBootstrap1763800000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "auth"."bootstrap" (
        "step" varchar(64) PRIMARY KEY,
        "done_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // A schema that already has an admin has had its first one.
    await q.query(
      `INSERT INTO "auth"."bootstrap" (step) SELECT 'first-admin' WHERE EXISTS (SELECT 1 FROM "auth"."credentials" WHERE role = 'admin')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."bootstrap"`);
  }
}
