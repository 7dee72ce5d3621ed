import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { accountGone, CredentialCopy } from '../../common/identity/credential-copy.js';
import type { Identity } from '../../common/identity/identity.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { Outbox } from '../../common/events/outbox.js';
import { keysetPage } from '../../common/pagination/keyset.js';
import { type AccountRegistered, mayAccess, requireAdmin } from '../auth/index.js';
import { UsersErrors } from './contracts/users.errors.js';
import { UsersEvents, type UserDeleted } from './contracts/users.events.js';
import type { DeletedReply, ListUsersRequest, UpdateUserRequest, UserCountReply, UserPageReply, UserReply } from './contracts/users.messages.js';
import { User } from './user.entity.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User, 'users') private readonly users: Repository<User>,
    private readonly outbox: Outbox,
    private readonly copy: CredentialCopy,
  ) {}

  /**
   * The profile of a newly registered account, inside the transaction that records the event. A
   * repeated registration event for the same id changes nothing.
   */
  async createProfile(manager: EntityManager, { userId, name, email }: AccountRegistered): Promise<void> {
    await manager.query(
      'INSERT INTO "users"."users" (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [userId, name, email],
    );
  }

  async get(id: string, caller: Identity): Promise<UserReply> {
    if (!mayAccess(caller, id)) throw notFound();
    const [row]: ProfileRow[] = await this.users.query(`SELECT ${PROFILE} FROM "users"."users" WHERE id = $1`, [id]);
    if (!row) throw notFound();
    return fromRow(row);
  }

  async list(request: ListUsersRequest, caller: Identity): Promise<UserPageReply> {
    requireAdmin(caller);
    const { rows, nextCursor } = await keysetPage(this.users.createQueryBuilder('u'), request, UsersErrors.INVALID_CURSOR);
    return { items: rows.map(toReply), nextCursor };
  }

  async count(caller: Identity): Promise<UserCountReply> {
    requireAdmin(caller);
    const [row]: Array<{ total: string }> = await this.users.query('SELECT count(*) AS total FROM "users"."users"');
    return { total: Number(row.total) };
  }

  /** One statement: the change and the reply. The same name again changes nothing, not even updated_at. */
  async update({ id, name }: UpdateUserRequest, caller: Identity): Promise<UserReply> {
    if (!mayAccess(caller, id)) throw notFound();
    // TypeORM answers an UPDATE with [rows, affected count].
    const [[row]]: [ProfileRow[], number] = await this.users.query(
      `UPDATE "users"."users" SET name = $2::varchar, updated_at = CASE WHEN name = $2::varchar THEN updated_at ELSE now() END
       WHERE id = $1 RETURNING ${PROFILE}`,
      [id, name],
    );
    if (!row) throw notFound();
    return fromRow(row);
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
      const result = await manager.delete(User, { id });
      if (!result.affected) throw notFound();
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

/**
 * The columns of a reply. Reads and writes of one profile are plain statements: the query builder
 * costs more CPU than the statement itself on these paths and adds nothing to a single-row lookup.
 */
const PROFILE = 'id, name, email, created_at, updated_at';

interface ProfileRow {
  id: string;
  name: string;
  email: string;
  created_at: Date | string;
  updated_at: Date | string;
}

function fromRow(r: ProfileRow): UserReply {
  return { id: r.id, name: r.name, email: r.email, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString() };
}

function toReply(u: User): UserReply {
  return { id: u.id, name: u.name, email: u.email, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}
