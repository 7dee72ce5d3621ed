import type { MigrationInterface, QueryRunner } from 'typeorm';
import { downgradeCredentialCopyV2, downgradeEventTablesV2, upgradeCredentialCopyV2, upgradeEventTablesV2 } from '../shared/event-tables.js';

/** Event tables and credential copy safe with several orders processes, and bounded by age. */
export class OrdersReplicas1764900000001 implements MigrationInterface {
  name = 'OrdersReplicas1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await upgradeEventTablesV2(q, 'orders');
    await upgradeCredentialCopyV2(q, 'orders');
  }

  async down(q: QueryRunner): Promise<void> {
    await downgradeCredentialCopyV2(q, 'orders');
    await downgradeEventTablesV2(q, 'orders');
  }
}
