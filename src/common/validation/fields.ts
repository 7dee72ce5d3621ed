import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

/** Emails are compared and stored trimmed and lower-cased everywhere, so one address is one identity. */
export const normalizeEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A person's display name: 1-100 characters after trimming, no control characters. */
export function PersonName(example = 'Ada Lovelace'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minLength: 1, maxLength: 100 }),
    Transform(trim),
    IsString(),
    Length(1, 100),
    Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' }),
  );
}

/** An email address as an account or profile key: valid, with a top-level domain, at most 254 characters. */
export function EmailAddress(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Unique, case-insensitive; stored lower-cased.' }),
    Transform(normalizeEmail),
    IsString(),
    MaxLength(254),
    IsEmail({ allow_display_name: false, require_tld: true }),
  );
}
