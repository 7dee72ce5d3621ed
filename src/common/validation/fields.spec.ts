import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { canonicalEmail, EmailAddress } from './fields.js';

class Body {
  @EmailAddress()
  email: string;
}

/** The canonical value, or the constraint names that refused it. */
function check(email: string): string | string[] {
  const body = plainToInstance(Body, { email });
  const errors = validateSync(body);
  return errors.length ? Object.keys(errors[0].constraints ?? {}).sort() : body.email;
}

describe('EmailAddress', () => {
  it('stores one canonical form: NFKC, trimmed, lower-cased, the domain as punycode', () => {
    expect(check('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(check('ＡＤＡ@ｅｘａｍｐｌｅ.ｃｏｍ')).toBe('ada@example.com');
    // A Cyrillic "а" in the domain is kept, and shows as what it is.
    expect(check('ada@exаmple.com')).toBe('ada@xn--exmple-4nf.com');
    expect(canonicalEmail('ada@BÜCHER.example')).toBe('ada@xn--bcher-kva.example');
  });

  it.each([
    ['a zero-width space', 'ad\u200ba@example.com'],
    ['a zero-width joiner in the domain', 'ada@exam\u200dple.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a soft hyphen', 'a\u00adda@example.com'],
    ['a NUL', 'ada\u0000@example.com'],
    ['a Cyrillic letter before the @', 'аda@example.com'],
  ])('refuses %s', (_, email) => {
    expect(check(email)).toContain('matches');
  });

  it.each([
    ['a quoted local part', '"ada"@example.com'],
    ['a quoted local part of the full-width kind', '\uff02ada\uff02@example.com'],
    ['a quoted local part with a space', '"ada lovelace"@example.com'],
    ['a quoted local part with an escaped quote', '"ada\\"x"@example.com'],
    ['a quoted local part with an @', '"ada@home"@example.com'],
  ])('refuses %s: quoting would give one mailbox a second account', (_, email) => {
    expect(check(email)).toContain('notContains');
  });

  it('still refuses what is not an address', () => {
    expect(check('not-an-email')).toEqual(['isEmail']);
    expect(check('ada@localhost')).toEqual(['isEmail']);
  });
});
