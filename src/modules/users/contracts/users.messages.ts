import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, PageRequest } from '../../../common/pagination/page.request.js';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, PersonName } from '../../../common/validation/fields.js';

export class GetUserRequest {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  @IsUUID('all')
  id: string;
}

/** A page of users, oldest first. */
export class ListUsersRequest extends PageRequest {}

/** How many profiles there are: no parameters. */
export class CountUsersRequest {}

export class UserCountReply {
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, example: 42 })
  total: number;
}

export class UpdateUserRequest extends GetUserRequest {
  @PersonName('Ada King')
  name: string;
}

/** The HTTP body of an update: the id comes from the path. */
export class UpdateUserBody extends PickType(UpdateUserRequest, ['name'] as const) {}

export class DeleteUserRequest extends GetUserRequest {}

export class UserReply {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  id: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: MAX_NAME_LENGTH })
  name: string;

  @ApiProperty({ example: 'ada@example.com', maxLength: MAX_EMAIL_LENGTH })
  email: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  updatedAt: string;
}

export class UserPageReply {
  @ApiProperty({ type: [UserReply], maxItems: MAX_PAGE_SIZE })
  items: UserReply[];

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_CURSOR_LENGTH,
    description: 'Pass as `cursor` for the next page; null on the last page.',
    example: 'MjA',
  })
  nextCursor: string | null;
}

export class DeletedReply {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  id: string;

  @ApiProperty({ example: true })
  deleted: true;
}
