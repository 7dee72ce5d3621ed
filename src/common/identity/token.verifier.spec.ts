import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { readTokenSettings } from './token.settings.js';
import { createJwtService, TokenVerifier } from './token.verifier.js';

const settings = readTokenSettings({
  JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
  JWT_ISSUER: 'mm-test',
  JWT_AUDIENCE: 'mm-test-api',
});
const USER = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const jwt = createJwtService(settings);
const verifier = new TokenVerifier(jwt);
const access = (claims: object = {}, options: object = { expiresIn: 60 }) =>
  jwt.sign({ token_use: 'access', role: 'user', ver: 1, ...claims }, { subject: USER, ...options });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function refusal(fn: () => unknown): { code: string; status: number } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return { code: (err as { code: string }).code, status: (err as { status: number }).status };
  }
}
const UNAUTHENTICATED = { code: 'AUTH.UNAUTHENTICATED', status: 401 };

describe('TokenVerifier', () => {
  it('turns a valid access token into a user identity', () => {
    expect(verifier.identify(`Bearer ${access()}`, ['access'])).toEqual({ kind: 'user', userId: USER, role: 'user', version: 1 });
  });

  it('turns a service token into a service identity only where service tokens are accepted', () => {
    const token = jwt.sign({ token_use: 'service' }, { subject: 'auth', expiresIn: 60 });
    expect(verifier.identify(`Bearer ${token}`, ['access', 'service'])).toEqual({ kind: 'service', service: 'auth' });
    expect(refusal(() => verifier.identify(`Bearer ${token}`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a bare token', 'not-a-jwt'],
    ['a token without the scheme', access()],
  ])('refuses %s', (_, header) => {
    expect(refusal(() => verifier.identify(header as string | undefined, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('refuses alg none', () => {
    const [, payload] = access().split('.');
    expect(refusal(() => verifier.identify(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('refuses another HMAC algorithm even with the right secret', () => {
    const token = jwt.sign({ token_use: 'access', role: 'user', ver: 1 }, { subject: USER, algorithm: 'HS512', expiresIn: 60 });
    expect(refusal(() => verifier.identify(`Bearer ${token}`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('refuses a wrong signature and a changed subject', () => {
    const other = new JwtService({ secret: 'another-secret-that-is-long-enough-0123456789' });
    const forged = other.sign(
      { token_use: 'access', role: 'admin', ver: 1 },
      { subject: USER, issuer: 'mm-test', audience: 'mm-test-api', expiresIn: 60 },
    );
    expect(refusal(() => verifier.identify(`Bearer ${forged}`, ['access']))).toEqual(UNAUTHENTICATED);
    const [header, payload, signature] = access().split('.');
    const changed = b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'ffffffff-4f6e-4a86-9a39-6a4e8f9d1c2b' });
    expect(refusal(() => verifier.identify(`Bearer ${header}.${changed}.${signature}`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('refuses expired tokens and tokens without an expiry', () => {
    const expired = access({ exp: Math.floor(Date.now() / 1000) - 10 }, {});
    expect(refusal(() => verifier.identify(`Bearer ${expired}`, ['access']))).toEqual(UNAUTHENTICATED);
    const eternal = access({}, {});
    expect(refusal(() => verifier.identify(`Bearer ${eternal}`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('refuses a wrong issuer or audience', () => {
    expect(refusal(() => verifier.identify(`Bearer ${access({}, { issuer: 'someone-else', expiresIn: 60 })}`, ['access']))).toEqual(
      UNAUTHENTICATED,
    );
    expect(refusal(() => verifier.identify(`Bearer ${access({}, { audience: 'another-api', expiresIn: 60 })}`, ['access']))).toEqual(
      UNAUTHENTICATED,
    );
  });

  it('passes on any well-formed role as the issuer granted it, without judging it', () => {
    expect(verifier.identify(`Bearer ${access({ role: 'auditor' })}`, ['access'])).toEqual({
      kind: 'user',
      userId: USER,
      role: 'auditor',
      version: 1,
    });
  });

  it('refuses a refresh token, and access tokens with a bad role, version or subject', () => {
    const refresh = jwt.sign({ token_use: 'refresh', ver: 1, fam: USER }, { subject: USER, jwtid: USER, expiresIn: 60 });
    expect(refusal(() => verifier.identify(`Bearer ${refresh}`, ['access', 'service']))).toEqual(UNAUTHENTICATED);
    // The verifier knows no module's roles (auth's policy does), only what a role name may look like.
    for (const role of ['Admin', '', 'a'.repeat(33), 'ad min', 42, null]) {
      expect(refusal(() => verifier.identify(`Bearer ${access({ role })}`, ['access']))).toEqual(UNAUTHENTICATED);
    }
    expect(refusal(() => verifier.identify(`Bearer ${access({ ver: 0 })}`, ['access']))).toEqual(UNAUTHENTICATED);
    const notAUser = jwt.sign({ token_use: 'access', role: 'user', ver: 1 }, { subject: 'auth', expiresIn: 60 });
    expect(refusal(() => verifier.identify(`Bearer ${notAUser}`, ['access']))).toEqual(UNAUTHENTICATED);
  });

  it('checks expiry and use again for a token it has verified before', () => {
    const fresh = new TokenVerifier(jwt);
    const start = Date.now();
    const token = access({}, { expiresIn: 2 });
    expect(fresh.identify(`Bearer ${token}`, ['access'])).toMatchObject({ kind: 'user', userId: USER });
    const service = jwt.sign({ token_use: 'service' }, { subject: 'auth', expiresIn: 60 });
    expect(fresh.identify(`Bearer ${service}`, ['access', 'service'])).toEqual({ kind: 'service', service: 'auth' });
    expect(refusal(() => fresh.identify(`Bearer ${service}`, ['access']))).toEqual(UNAUTHENTICATED);
    const now = jest.spyOn(Date, 'now').mockReturnValue(start + 3000);
    try {
      expect(refusal(() => fresh.identify(`Bearer ${token}`, ['access']))).toEqual(UNAUTHENTICATED);
    } finally {
      now.mockRestore();
    }
  });
});
