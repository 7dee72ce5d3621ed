import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accountGone, CredentialCopy } from '../../common/identity/credential-copy.js';
import type { Identity } from '../../common/identity/identity.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { Outbox } from '../../common/events/outbox.js';
import { keysetPage } from '../../common/pagination/keyset.js';
import { type AccountRegistered, mayAccess, requireAdmin } from '../auth/index.js';
import { UsersErrors } from './contracts/users.errors.js';
import { UsersEvents, type UserDeleted } from './contracts/users.events.js';
import type {
  DeletedReply,
  ListUsersRequest,
  UpdateUserRequest,
  UserCountReply,
  UserPageReply,
  UserReply,
} from './contracts/users.messages.js';
import { toUserReply, USER_COLUMNS, type UserRow } from './user.row.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource('users') private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly copy: CredentialCopy,
  ) {}

  /**
   * The profile of a newly registered account, inside the transaction that records the event. A
   * repeated registration event for the same id changes nothing.
   */
  async createProfile(manager: EntityManager, { userId, name, email }: AccountRegistered): Promise<void> {
    await manager.query('INSERT INTO "users"."users" (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
      userId,
      name,
      email,
    ]);
  }

  async get(id: string, caller: Identity): Promise<UserReply> {
    if (!mayAccess(caller, id)) throw notFound();
    const [row]: UserRow[] = await this.db.query(`SELECT ${USER_COLUMNS} FROM "users"."users" WHERE id = $1`, [id]);
    if (!row) throw notFound();
    return toUserReply(row);
  }

  async list(request: ListUsersRequest, caller: Identity): Promise<UserPageReply> {
    requireAdmin(caller);
    const { rows, nextCursor } = await keysetPage<UserRow>(request, UsersErrors.INVALID_CURSOR, (after, take) =>
      this.db.query(`SELECT ${USER_COLUMNS}, seq FROM "users"."users" WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, take]),
    );
    return { items: rows.map(toUserReply), nextCursor };
  }

  async count(caller: Identity): Promise<UserCountReply> {
    requireAdmin(caller);
    const [row]: Array<{ total: string }> = await this.db.query('SELECT count(*) AS total FROM "users"."users"');
    return { total: Number(row.total) };
  }

  /** One statement: the change and the reply. The same name again changes nothing, not even updated_at. */
  async update({ id, name }: UpdateUserRequest, caller: Identity): Promise<UserReply> {
    if (!mayAccess(caller, id)) throw notFound();
    // TypeORM answers an UPDATE with [rows, affected count].
    const [[row]]: [UserRow[], number] = await this.db.query(
      `UPDATE "users"."users" SET name = $2::varchar, updated_at = CASE WHEN name = $2::varchar THEN updated_at ELSE now() END
       WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, name],
    );
    if (!row) throw notFound();
    return toUserReply(row);
  }

  /**
   * Deleting a profile ends the account: the profile goes and `users.user-deleted` is published in the
   * same transaction; auth forgets the credentials (revoking every token) and orders cancels the pending
   * orders when they apply it, whether or not they are reachable right now. This core's own copy of
   * credential versions marks the account gone in the same transaction, so its tokens die here at once.
   */
  async delete(id: string, caller: Identity): Promise<DeletedReply> {
    if (!mayAccess(caller, id)) throw notFound();
    const eventId = randomUUID();
    const settled = this.outbox.settled(eventId, UsersEvents.USER_DELETED);
    const afterCommit: Array<() => void> = [];
    await this.outbox.transaction(async (manager) => {
      // TypeORM answers a DELETE with [rows, affected count].
      const [deleted]: [Array<{ id: string }>, number] = await manager.query('DELETE FROM "users"."users" WHERE id = $1 RETURNING id', [
        id,
      ]);
      if (!deleted.length) throw notFound();
      await this.outbox.publish<UserDeleted>(manager, UsersEvents.USER_DELETED, id, { userId: id }, eventId);
      await this.copy.apply(manager, accountGone(id), (action) => afterCommit.push(action));
    });
    afterCommit.forEach((action) => action());
    await settled;
    return { id, deleted: true };
  }
}

/** Someone else's profile answers exactly as a missing one does, so ids reveal nothing. */
const notFound = () => new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');
