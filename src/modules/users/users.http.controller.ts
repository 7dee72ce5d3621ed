import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, BUS_PROBLEMS } from '../../common/http/problem.js';
import { UsersClient } from './contracts/users.client.js';
import {
  CreateUserRequest, GetUserRequest, ListUsersRequest, UpdateUserBody, UserPageReply, UserReply,
} from './contracts/users.messages.js';

const INVALID = { 400: ['COMMON.VALIDATION_FAILED'] };
const NOT_FOUND = { 404: ['USERS.NOT_FOUND'] };

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class UsersHttpController {
  constructor(private readonly users: UsersClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserReply, description: 'The created user' })
  @ApiProblems({ ...INVALID, 409: ['USERS.EMAIL_TAKEN'], ...BUS_PROBLEMS })
  create(@Body() body: CreateUserRequest): Promise<UserReply> {
    return this.users.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ type: UserPageReply, description: 'One page of users' })
  @ApiProblems({ 400: ['COMMON.VALIDATION_FAILED', 'USERS.INVALID_CURSOR'], ...BUS_PROBLEMS })
  list(@Query() query: ListUsersRequest): Promise<UserPageReply> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserReply, description: 'The user' })
  @ApiProblems({ ...INVALID, ...NOT_FOUND, ...BUS_PROBLEMS })
  get(@Param() { id }: GetUserRequest): Promise<UserReply> {
    return this.users.get({ id });
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's name" })
  @ApiOkResponse({ type: UserReply, description: 'The updated user' })
  @ApiProblems({ ...INVALID, ...NOT_FOUND, ...BUS_PROBLEMS })
  update(@Param() { id }: GetUserRequest, @Body() body: UpdateUserBody): Promise<UserReply> {
    return this.users.update({ id, name: body.name });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems({ ...INVALID, ...NOT_FOUND, ...BUS_PROBLEMS })
  async delete(@Param() { id }: GetUserRequest): Promise<void> {
    await this.users.delete({ id });
  }
}
