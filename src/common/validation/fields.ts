import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { domainToASCII } from 'node:url';
import { IsEmail, IsString, Length, Matches, MaxLength, NotContains } from 'class-validator';

export const MAX_NAME_LENGTH = 100;
export const MAX_EMAIL_LENGTH = 254;

/** Control, format and other invisible characters: they make an address look like another one. */
// eslint-disable-next-line no-misleading-character-class -- each mark is matched on its own: the marks are what it looks for
const INVISIBLE = /[\p{Cc}\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0]/u;

/**
 * One address, one identity: Unicode NFKC (full-width and compatibility forms become their plain
 * letters), trimmed, lower-cased, and an internationalised domain in its ASCII (punycode) form, so a
 * look-alike domain is visibly different. Text with invisible characters is left as it is, for the
 * validator to refuse.
 */
export function canonicalEmail(value: string): string {
  if (INVISIBLE.test(value.trim())) return value;
  const text = value.normalize('NFKC').trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at < 1) return text;
  const domain = domainToASCII(text.slice(at + 1));
  return domain ? `${text.slice(0, at)}@${domain}` : text;
}

/** Emails are compared and stored in their canonical form everywhere (see canonicalEmail). */
export const normalizeEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? canonicalEmail(value) : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A person's display name: 1-100 characters after trimming, no control characters. */
export function PersonName(example = 'Ada Lovelace'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minLength: 1, maxLength: MAX_NAME_LENGTH }),
    Transform(trim),
    IsString(),
    Length(1, MAX_NAME_LENGTH),
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' }),
  );
}

/**
 * An email address as an account or profile key: valid, with a top-level domain, at most 254
 * characters, visible ASCII once canonical (a non-ASCII local part, or any invisible character, is refused).
 * A quoted local part is refused too: `"ada"@example.com` is the mailbox of `ada@example.com`, and
 * quoting can spell one mailbox in many ways. A `"` can stand nowhere else in a valid address.
 */
export function EmailAddress(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example: 'ada@example.com',
      maxLength: MAX_EMAIL_LENGTH,
      description:
        'Unique. Stored in canonical form: Unicode NFKC, lower-cased, an internationalised domain as punycode (xn--). ' +
        'The part before the @ must be ASCII and unquoted; invisible and control characters are refused.',
    }),
    Transform(normalizeEmail),
    IsString(),
    MaxLength(MAX_EMAIL_LENGTH),
    Matches(/^[\x21-\x7e]+$/, { message: 'email must be visible ASCII characters once normalised (the domain may be internationalised)' }),
    NotContains('"', { message: 'email must not quote the part before the @' }),
    IsEmail({ allow_display_name: false, require_tld: true }),
  );
}
