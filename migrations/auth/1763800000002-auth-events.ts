import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventTablesV1 } from '../shared/event-tables.js';

export class AuthEvents1763800000002 implements MigrationInterface {
  name = 'AuthEvents1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await createEventTablesV1(q, 'auth');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "auth"."inbox", "auth"."outbox"`);
  }
}
