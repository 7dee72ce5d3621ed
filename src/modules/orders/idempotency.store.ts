import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { OrdersErrors } from './contracts/orders.errors.js';
import type { OrderReply } from './contracts/orders.messages.js';

interface KeyRow {
  fingerprint: string;
  response: OrderReply | string | null;
}

/** How long a key is remembered; after that the same key starts a new request. */
export const KEY_LIFETIME = '24 hours';

/** A stable fingerprint of what a request asks for, to tell a replay from a different request under the same key. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * Idempotency keys of one buyer (table `orders.idempotency_keys`). The key is claimed in the same
 * transaction that places the order, so concurrent requests with one key wait for the first, then find
 * its answer: one order, whatever the number of attempts.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(@InjectDataSource('orders') private readonly dataSource: DataSource) {}

  /**
   * `check` runs before the transaction (it may ask another module, and the embedded database serves one
   * transaction at a time); `work` runs inside it, only for the request that claims the key.
   */
  async once(
    userId: string,
    key: string,
    print: string,
    check: () => Promise<void>,
    work: (manager: EntityManager) => Promise<OrderReply>,
  ): Promise<OrderReply> {
    const known = await this.find(this.dataSource.manager, userId, key);
    if (known) return this.replay(known, print);
    await check();
    return this.dataSource.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(
        `INSERT INTO "orders"."idempotency_keys" (user_id, key, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, order_id = NULL, response = NULL, created_at = now()
           WHERE "idempotency_keys".created_at < now() - interval '${KEY_LIFETIME}'
         RETURNING user_id`,
        [userId, key, print],
      );
      if (!claimed.length) return this.replay(await this.find(manager, userId, key), print);
      const reply = await work(manager);
      await manager.query('UPDATE "orders"."idempotency_keys" SET order_id = $3, response = $4 WHERE user_id = $1 AND key = $2', [
        userId,
        key,
        reply.id,
        JSON.stringify(reply),
      ]);
      return reply;
    });
  }

  /** The key's first request, if it was made within the key's lifetime. */
  private async find(manager: EntityManager, userId: string, key: string): Promise<KeyRow | undefined> {
    const [row]: KeyRow[] = await manager.query(
      `SELECT fingerprint, response FROM "orders"."idempotency_keys"
       WHERE user_id = $1 AND key = $2 AND created_at >= now() - interval '${KEY_LIFETIME}'`,
      [userId, key],
    );
    return row;
  }

  private replay(row: KeyRow | undefined, print: string): OrderReply {
    if (!row || row.fingerprint !== print || !row.response) {
      throw new DomainError(OrdersErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different request');
    }
    return typeof row.response === 'string' ? JSON.parse(row.response) : row.response;
  }
}
