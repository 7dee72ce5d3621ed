import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, Repository } from 'typeorm';
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
  constructor(@InjectRepository(User, 'users') private readonly users: Repository<User>) {}

  async create({ name, email }: CreateUserRequest): Promise<UserReply> {
    const id = randomUUID();
    try {
      await this.users.insert({ id, name, email });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) {
        throw new DomainError(UsersErrors.EMAIL_TAKEN, 'A user with this email already exists');
      }
      throw err;
    }
    return this.get(id);
  }

  async get(id: string): Promise<UserReply> {
    return toReply(await this.find(id));
  }

  async list(request: ListUsersRequest): Promise<UserPageReply> {
    const { rows, nextCursor } = await keysetPage(this.users.createQueryBuilder('u'), request, UsersErrors.INVALID_CURSOR);
    return { items: rows.map(toReply), nextCursor };
  }

  async update({ id, name }: UpdateUserRequest): Promise<UserReply> {
    const user = await this.find(id);
    user.name = name;
    await this.users.save(user);
    return this.get(id);
  }

  async delete(id: string): Promise<DeletedReply> {
    const result = await this.users.delete({ id });
    if (!result.affected) throw notFound();
    return { id, deleted: true };
  }

  private async find(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw notFound();
    return user;
  }
}

const notFound = () => new DomainError(UsersErrors.NOT_FOUND, 'No user has this id');

function toReply(u: User): UserReply {
  return { id: u.id, name: u.name, email: u.email, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}
