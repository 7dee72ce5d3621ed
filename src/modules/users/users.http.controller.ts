import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Identity } from '../../common/identity/identity.js';
import { Caller, IdentityGuard } from '../../common/identity/identity.guard.js';
import { requireUser } from '../auth/index.js';
import { ApiOperationProblems } from '../../common/contracts/operation.problems.js';
import { UsersClient } from './contracts/users.client.js';
import { UsersOperations } from './contracts/users.operations.js';
import { GetUserRequest, ListUsersRequest, UpdateUserBody, UserPageReply, UserReply } from './contracts/users.messages.js';

/**
 * Profiles are created by registration (POST /v1/auth/register). A user reaches only their own profile;
 * another user's id answers 404 exactly like a missing one. Admins reach every profile.
 */
@ApiTags('users')
@ApiBearerAuth()
@Controller({ path: 'users', version: '1' })
@UseGuards(IdentityGuard)
export class UsersHttpController {
  constructor(private readonly users: UsersClient) {}

  @Get()
  @ApiOperation({
    summary: 'List users, oldest first (admins only)',
    description:
      'Any caller but an admin is refused with AUTH.FORBIDDEN. Keyset pages: pass `nextCursor` back as `cursor`; ' +
      'a cursor the server did not hand out is USERS.INVALID_CURSOR.',
  })
  @ApiOkResponse({ type: UserPageReply, description: 'One page of users' })
  @ApiOperationProblems(UsersOperations.list)
  list(@Query() query: ListUsersRequest): Promise<UserPageReply> {
    return this.users.list(query);
  }

  @Get('me')
  @ApiOperation({ summary: "The caller's own profile", description: 'The profile of the user the access token names.' })
  @ApiOkResponse({ type: UserReply, description: "The caller's profile" })
  @ApiOperationProblems(UsersOperations.get, { never: { 'COMMON.VALIDATION_FAILED': "the id is the caller's own, from the token" } })
  me(@Caller() caller: Identity): Promise<UserReply> {
    return this.users.get({ id: requireUser(caller).userId });
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a user (self or admin)',
    description:
      "A user may read only their own profile, an admin any. Another user's id answers USERS.NOT_FOUND, as an id nobody has does, so " +
      'ids cannot be probed.',
  })
  @ApiOkResponse({ type: UserReply, description: 'The user' })
  @ApiOperationProblems(UsersOperations.get)
  get(@Param() { id }: GetUserRequest): Promise<UserReply> {
    return this.users.get({ id });
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a user's name (self or admin)",
    description:
      "The name is trimmed and must then be 1-100 characters without control characters. Another user's id answers " +
      'USERS.NOT_FOUND unless the caller is an admin. The same name again changes nothing, not even `updatedAt`.',
  })
  @ApiOkResponse({ type: UserReply, description: 'The updated user' })
  @ApiOperationProblems(UsersOperations.update)
  update(@Param() { id }: GetUserRequest, @Body() body: UpdateUserBody): Promise<UserReply> {
    return this.users.update({ id, name: body.name });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user and end their account (self or admin)',
    description: "The credentials go with the profile: the user's tokens are refused and the password no longer signs in.",
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiOperationProblems(UsersOperations.delete)
  async delete(@Param() { id }: GetUserRequest): Promise<void> {
    await this.users.delete({ id });
  }
}
