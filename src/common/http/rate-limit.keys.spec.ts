import { canonicalEmail } from '../validation/fields.js';
import { accountOf } from './rate-limit.keys.js';

const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const token = (claims: object) => `Bearer e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('rate-limit keys', () => {
  it('keys every spelling of one address as the one account they register and sign in as', () => {
    const spellings = [
      'ada@example.com',
      'ADA@Example.COM',
      '  ada@example.com\t',
      fullWidth('ada@example.com'),
      `${fullWidth('ada')}@example.com`,
      'ada\uff20example.com',
      `ADA@${fullWidth('EXAMPLE.COM')}`,
      'ada@EXAMPLE.com',
    ];
    const keys = new Set(spellings.map((email) => accountOf({ body: { email } })));
    expect([...keys]).toEqual(['email:ada@example.com']);
    for (const email of spellings) expect(accountOf({ body: { email } })).toBe(`email:${canonicalEmail(email)}`);
  });

  it('keys an internationalised domain by its ASCII form, as accounts store it', () => {
    expect(accountOf({ body: { email: 'ada@bücher.example' } })).toBe('email:ada@xn--bcher-kva.example');
  });

  it('keeps different addresses apart and bounds the key', () => {
    expect(accountOf({ body: { email: 'ada@example.com' } })).not.toBe(accountOf({ body: { email: 'bob@example.com' } }));
    expect(accountOf({ body: { email: `${'a'.repeat(1000)}@example.com` } })).toHaveLength('email:'.length + 254);
  });

  it('keys a password change by the subject of its bearer token, and anything else as unknown', () => {
    expect(accountOf({ headers: { authorization: token({ sub: 'f2c1a9e0-0000-4000-8000-000000000001' }) } })).toBe(
      'user:f2c1a9e0-0000-4000-8000-000000000001',
    );
    expect(accountOf({ headers: { authorization: 'Bearer not-a-token' } })).toBe('unknown');
    expect(accountOf({ body: { email: 42 }, headers: {} })).toBe('unknown');
  });
});
