import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Create a user. The email is trimmed and lower-cased; it is unique regardless of case. */
export class CreateUserRequest {
  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' })
  name: string;

  @ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Unique, case-insensitive; stored lower-cased.' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({ allow_display_name: false, require_tld: true })
  email: string;
}

export class GetUserRequest {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  @IsUUID('all')
  id: string;
}

export class ListUsersRequest {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', example: 'MTI' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;
}

export class UpdateUserRequest extends GetUserRequest {
  @ApiProperty({ example: 'Ada King', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' })
  name: string;
}

/** The HTTP body of an update: the id comes from the path. */
export class UpdateUserBody extends PickType(UpdateUserRequest, ['name'] as const) {}

export class DeleteUserRequest extends GetUserRequest {}

export class UserReply {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  id: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  updatedAt: string;
}

export class UserPageReply {
  @ApiProperty({ type: [UserReply] })
  items: UserReply[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.', example: 'MjA' })
  nextCursor: string | null;
}

export class DeletedReply {
  @ApiProperty({ format: 'uuid', example: '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b' })
  id: string;

  @ApiProperty({ example: true })
  deleted: true;
}

export class PingReply {
  @ApiProperty({ example: 'users' })
  module: string;
}
