import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  downgradeCredentialCopyV2,
  downgradeEventTablesV2,
  upgradeCredentialCopyV2,
  upgradeEventTablesV2,
} from '../shared/event-tables.js';

/**
 * Event tables and credential copy safe with several orders processes, and bounded by age; and the
 * check that serialises placing an order with applying its account's deletion.
 */
export class OrdersReplicas1764900000001 implements MigrationInterface {
  name = 'OrdersReplicas1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await upgradeEventTablesV2(q, 'orders');
    await upgradeCredentialCopyV2(q, 'orders');
    // Called by the INSERT of an order. It waits for a deletion of the account that is being applied
    // (the deletion takes the same lock first), and holds the lock until the order's transaction ends.
    // VOLATILE: its query takes a snapshot after the wait, so it sees a deletion that committed meanwhile,
    // which the INSERT's own snapshot, taken before, would not.
    await q.query(`
      CREATE FUNCTION "orders"."account_open_for_orders"(account uuid) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('orders:account:' || account::text));
        RETURN NOT EXISTS (SELECT 1 FROM "orders"."credential_versions" c WHERE c.user_id = account AND NOT c.active);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION "orders"."account_open_for_orders"(uuid)`);
    await downgradeCredentialCopyV2(q, 'orders');
    await downgradeEventTablesV2(q, 'orders');
  }
}
