import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { mayAccess, requireAdmin, requireService } from '../../common/auth/access.policy.js';
import { IDENTITY_AUTHORITY, type Identity } from '../../common/auth/identity.js';
import { IdentityLifecycle } from '../../common/auth/identity-lifecycle.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { keysetPage } from '../../common/pagination/keyset.js';
import { UsersErrors } from './contracts/users.errors.js';
import type {
  CreateUserRequest, DeletedReply, ListUsersRequest, UpdateUserRequest, UserPageReply, UserReply,
} from './contracts/users.messages.js';
import { User } from './user.entity.js';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  private readonly logger = new Logger('UsersService');

  constructor(
    @InjectRepository(User, 'users') private readonly users: Repository<User>,
    private readonly identities: IdentityLifecycle,
  ) {}

  async create({ id, name, email }: CreateUserRequest, caller: Identity): Promise<UserReply> {
    requireService(caller);
    try {
      await this.users.insert({ id, name, email });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) {
        throw new DomainError(UsersErrors.EMAIL_TAKEN, 'A user with this email already exists');
      }
      throw err;
    }
    return toReply(await this.find(id));
  }

  async get(id: string, caller: Identity): Promise<UserReply> {
    return toReply(await this.find(id, caller));
  }

  async list(request: ListUsersRequest, caller: Identity): Promise<UserPageReply> {
    requireAdmin(caller);
    const { rows, nextCursor } = await keysetPage(this.users.createQueryBuilder('u'), request, UsersErrors.INVALID_CURSOR);
    return { items: rows.map(toReply), nextCursor };
  }

  async update({ id, name }: UpdateUserRequest, caller: Identity): Promise<UserReply> {
    const user = await this.find(id, caller);
    user.name = name;
    await this.users.save(user);
    return toReply(await this.find(id));
  }

  /**
   * Deleting a profile ends the account: the auth module first suspends its credentials (no sign-in,
   * every token refused), then the profile goes, then the credentials are forgotten. If auth cannot be
   * reached nothing is deleted; if the last step fails the suspended credentials are harmless and the
   * next registration of the email clears them. The auth module itself, undoing a registration, manages
   * its credentials on its own.
   */
  async delete(id: string, caller: Identity): Promise<DeletedReply> {
    await this.find(id, caller);
    const fromAuth = caller.kind === 'service' && caller.service === IDENTITY_AUTHORITY;
    if (!fromAuth) await this.identities.suspend('users', id);
    const result = await this.users.delete({ id });
    if (!result.affected) throw notFound();
    if (!fromAuth) {
      await this.identities.forget('users', id).catch((err: unknown) => {
        this.logger.warn({ err, userId: id }, 'Profile deleted but its suspended credentials were not removed yet');
      });
    }
    return { id, deleted: true };
  }

  /** Someone else's profile answers exactly as a missing one does, so ids reveal nothing. */
  private async find(id: string, caller?: Identity): Promise<User> {
    if (caller && !mayAccess(caller, id)) throw notFound();
    const user = await this.users.findOneBy({ id });
    if (!user) throw notFound();
    return user;
  }
}

const notFound = () => new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');

function toReply(u: User): UserReply {
  return { id: u.id, name: u.name, email: u.email, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}
