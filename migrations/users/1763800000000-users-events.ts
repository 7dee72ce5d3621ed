import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCredentialCopyV1, createEventTablesV1 } from '../shared/event-tables.js';

export class UsersEvents1763800000000 implements MigrationInterface {
  name = 'UsersEvents1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await createEventTablesV1(q, 'users');
    await createCredentialCopyV1(q, 'users');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "users"."credential_versions", "users"."inbox", "users"."outbox"`);
  }
}
