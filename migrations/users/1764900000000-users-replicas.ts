import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  downgradeCredentialCopyV2,
  downgradeEventTablesV2,
  upgradeCredentialCopyV2,
  upgradeEventTablesV2,
} from '../shared/event-tables.js';

/** Event tables and credential copy safe with several users processes, and bounded by age. */
export class UsersReplicas1764900000000 implements MigrationInterface {
  name = 'UsersReplicas1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await upgradeEventTablesV2(q, 'users');
    await upgradeCredentialCopyV2(q, 'users');
  }

  async down(q: QueryRunner): Promise<void> {
    await downgradeCredentialCopyV2(q, 'users');
    await downgradeEventTablesV2(q, 'users');
  }
}
