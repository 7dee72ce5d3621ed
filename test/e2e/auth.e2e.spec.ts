import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_MAX_LENGTH } from '../../src/modules/auth/contracts/auth.messages.js';
import { readFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { authFor, createUser, placeOrder, uniqueEmail } from '../support/api-fixtures.js';
import {
  admin,
  bearer,
  E2E_ADMIN_EMAIL,
  JWT_AUDIENCE,
  JWT_ISSUER,
  login,
  recordingApi,
  refreshCookie,
  refreshTokenOf,
  register,
  seen,
  TEST_PASSWORD,
} from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem, violatedFields } from '../support/problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('auth: accounts, tokens and who may see what', () => {
  const suite = useE2eSuite('auth');
  const api = () => recordingApi(suite.baseUrl);
  const secret = () => Object.values(suite.topology.processes)[0].env.JWT_SECRET;
  const signer = (key = secret()) =>
    new JwtService({ secret: key, signOptions: { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE } });
  const count = async (sql: string, params: unknown[] = []) => Number((await suite.db.query<{ n: string }>(sql, params))[0].n);

  describe('registration', () => {
    it('creates the profile and credentials, answers an access token, and sets the refresh token only as a strict cookie', async () => {
      const email = uniqueEmail('reg');
      const res = await api().post('/v1/auth/register').send({ name: ' Ada ', email: email.toUpperCase(), password: TEST_PASSWORD });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        account: { id: expect.stringMatching(UUID), email, role: 'user' },
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expect(res.headers['cache-control']).toBe('no-store');
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n');
      expect(cookie).toMatch(/^refresh_token=[\w-]+\.[\w-]+\.[\w-]+; Path=\/v1\/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=\d+$/);
      expect(claimsOf(res.body.accessToken)).toMatchObject({
        sub: res.body.account.id,
        role: 'user',
        ver: 1,
        token_use: 'access',
        iss: JWT_ISSUER,
        aud: JWT_AUDIENCE,
      });
      // The bound the OpenAPI document states for accessToken.
      expect(res.body.accessToken.length).toBeLessThanOrEqual(ACCESS_TOKEN_MAX_LENGTH);

      const me = await api().get('/v1/users/me').set('authorization', bearer(res.body.accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: res.body.account.id, name: 'Ada', email });
      const [row] = await suite.db.query<{ password_hash: string; role: string; status: string }>(
        'SELECT password_hash, role, status FROM auth.credentials WHERE user_id = $1',
        [res.body.account.id],
      );
      expect(row).toMatchObject({ role: 'user', status: 'active' });
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    });

    it('refuses role: "admin" in the body and stores nothing; the account registered without it is a plain user', async () => {
      const email = uniqueEmail('mass');
      const res = await api().post('/v1/auth/register').send({ name: 'Mallory', email, password: TEST_PASSWORD, role: 'admin' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['role']);
      expect(await count('SELECT count(*) AS n FROM auth.credentials WHERE email = $1', [email])).toBe(0);
      expect(await count('SELECT count(*) AS n FROM users.users WHERE email = $1', [email])).toBe(0);

      const mallory = await register(suite.baseUrl, { email });
      expect(mallory.role).toBe('user');
      expect((await suite.db.query('SELECT role FROM auth.credentials WHERE email = $1', [email]))[0]).toEqual({ role: 'user' });
      expectProblem(await api().get('/v1/users').set('authorization', bearer(mallory.accessToken)), 403, 'AUTH.FORBIDDEN');
    });

    it.each([
      ['too short', 'Short1!x'],
      ['one repeated character', 'aaaaaaaaaaaaaaaaaaaa'],
      ['containing the email name', 'my-Weakling-password-1'],
    ])('answers 400 AUTH.WEAK_PASSWORD for a password %s, and stores nothing', async (_, password) => {
      const res = await api().post('/v1/auth/register').send({ name: 'Weak', email: 'weakling@example.com', password });
      expectProblem(res, 400, 'AUTH.WEAK_PASSWORD');
      expect(await count('SELECT count(*) AS n FROM users.users')).toBe(0);
      expect(await count('SELECT count(*) AS n FROM auth.credentials')).toBe(0);
    });

    it('answers 409 AUTH.EMAIL_TAKEN for a registered email in any case, and keeps one account', async () => {
      const email = uniqueEmail('taken');
      await register(suite.baseUrl, { email });
      const res = await api()
        .post('/v1/auth/register')
        .send({ name: 'Again', email: ` ${email.toUpperCase()} `, password: TEST_PASSWORD });
      expectProblem(res, 409, 'AUTH.EMAIL_TAKEN');
      expect(await count('SELECT count(*) AS n FROM users.users')).toBe(1);
      expect(await count('SELECT count(*) AS n FROM auth.credentials')).toBe(1);
    });

    it.each([
      ['of a registered address', (local: string) => `"${local}"`],
      ['with a space', (local: string) => `"${local} x"`],
      ['with an escaped quote', (local: string) => `"${local}\\"x"`],
      ['in full-width quotes', (local: string) => `\uff02${local}\uff02`],
    ])('refuses a quoted local part %s as 400 COMMON.VALIDATION_FAILED naming email, and stores nothing', async (_, quote) => {
      const email = uniqueEmail('quoted');
      await register(suite.baseUrl, { email });
      const [local, domain] = email.split('@');
      const res = await api()
        .post('/v1/auth/register')
        .send({ name: 'Quoted', email: `${quote(local)}@${domain}`, password: TEST_PASSWORD });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
      expect(await count('SELECT count(*) AS n FROM auth.credentials')).toBe(1);
    });

    it("refuses the quoted spelling of ADMIN_EMAIL before the admin registered, and the address stays the admin's", async () => {
      const [local, domain] = E2E_ADMIN_EMAIL.split('@');
      const res = await api()
        .post('/v1/auth/register')
        .send({ name: 'Mallory', email: `"${local}"@${domain}`, password: TEST_PASSWORD });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
      expect(await count('SELECT count(*) AS n FROM auth.credentials')).toBe(0);
      expect(await admin(suite.baseUrl)).toMatchObject({ email: E2E_ADMIN_EMAIL, role: 'admin' });
    });

    it('makes the ADMIN_EMAIL account an admin, who may list every user and every order', async () => {
      const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const [adaOrder, bobOrder] = [await placeOrder(suite.baseUrl, ada.id), await placeOrder(suite.baseUrl, bob.id)];
      const root = await admin(suite.baseUrl);
      expect(root).toMatchObject({ email: E2E_ADMIN_EMAIL, role: 'admin' });
      const users = await api().get('/v1/users').set('authorization', bearer(root.accessToken));
      expect(users.status).toBe(200);
      expect(users.body.items.map((u: { id: string }) => u.id)).toEqual([ada.id, bob.id, root.userId]);
      const orders = await api().get('/v1/orders').set('authorization', bearer(root.accessToken));
      expect(orders.body.items.map((o: { id: string }) => o.id)).toEqual([adaOrder.id, bobOrder.id]);
      const bobs = await api().get('/v1/orders').query({ userId: bob.id }).set('authorization', bearer(root.accessToken));
      expect(bobs.body.items.map((o: { id: string }) => o.id)).toEqual([bobOrder.id]);
      const bobProfile = await api().get(`/v1/users/${bob.id}`).set('authorization', bearer(root.accessToken));
      expect(bobProfile.body).toEqual(bob);
    });
  });

  describe('login', () => {
    it('signs in with the right password', async () => {
      const ada = await register(suite.baseUrl);
      const res = await api().post('/v1/auth/login').send({ email: ada.email.toUpperCase(), password: ada.password });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        account: { id: ada.userId, email: ada.email, role: 'user' },
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expect(refreshTokenOf(res)).toEqual(expect.any(String));
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('answers an unknown email and a wrong password identically', async () => {
      const ada = await register(suite.baseUrl);
      const strip = (res: Response) => ({
        status: res.status,
        type: res.headers['content-type'],
        cookie: res.headers['set-cookie'],
        body: { ...res.body, correlationId: undefined },
      });
      const unknown = await api()
        .post('/v1/auth/login')
        .send({ email: uniqueEmail('nobody'), password: ada.password });
      const wrong = await api()
        .post('/v1/auth/login')
        .send({ email: ada.email, password: `${ada.password}-not` });
      expectProblem(unknown, 401, 'AUTH.INVALID_CREDENTIALS');
      expect(strip(wrong)).toEqual(strip(unknown));
    });

    it('refuses a body without a password', async () => {
      const res = await api().post('/v1/auth/login').send({ email: uniqueEmail() });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['password']);
    });
  });

  describe('every invalid access token answers 401 AUTH.UNAUTHENTICATED', () => {
    const ROUTES = ['/v1/users/me', '/v1/orders'];
    type Forge = (
      s: { userId: string; accessToken: string; refreshToken: string },
      other: string,
    ) => Promise<string | undefined> | string | undefined;
    const cases: Array<[string, Forge]> = [
      ['no token', () => undefined],
      ['a malformed token', () => 'Bearer not.a-token'],
      ['another scheme', (s) => `Basic ${s.accessToken}`],
      ['alg: none', (s) => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${s.accessToken.split('.')[1]}.`],
      [
        'a wrong signature',
        (s) =>
          bearer(
            signer('some-other-secret-that-is-long-enough-1234').sign(
              { token_use: 'access', role: 'user', ver: 1 },
              { subject: s.userId, expiresIn: 60 },
            ),
          ),
      ],
      [
        'a changed sub',
        (s, other) => {
          const [header, , signature] = s.accessToken.split('.');
          return `Bearer ${header}.${b64({ ...claimsOf(s.accessToken), sub: other })}.${signature}`;
        },
      ],
      [
        'a changed role',
        (s) => {
          const [header, , signature] = s.accessToken.split('.');
          return `Bearer ${header}.${b64({ ...claimsOf(s.accessToken), role: 'admin' })}.${signature}`;
        },
      ],
      [
        'an expired token',
        (s) =>
          bearer(
            signer().sign({ token_use: 'access', role: 'user', ver: 1, exp: Math.floor(Date.now() / 1000) - 5 }, { subject: s.userId }),
          ),
      ],
      [
        'a wrong issuer',
        (s) =>
          bearer(
            signer().sign({ token_use: 'access', role: 'user', ver: 1 }, { subject: s.userId, expiresIn: 60, issuer: 'someone-else' }),
          ),
      ],
      [
        'a wrong audience',
        (s) =>
          bearer(
            signer().sign({ token_use: 'access', role: 'user', ver: 1 }, { subject: s.userId, expiresIn: 60, audience: 'another-api' }),
          ),
      ],
      ['a refresh token', (s) => bearer(s.refreshToken)],
      [
        'a token from before a password change',
        async (s) => {
          const me = await login(
            suite.baseUrl,
            (await suite.db.query<{ email: string }>('SELECT email FROM auth.credentials WHERE user_id = $1', [s.userId]))[0].email,
            TEST_PASSWORD,
          );
          const changed = await api()
            .patch('/v1/auth/password')
            .set('authorization', bearer(me.accessToken))
            .send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' });
          expect(changed.status).toBe(200);
          return bearer(s.accessToken);
        },
      ],
    ];

    it.each(cases)('%s', async (_, forge) => {
      const ada = await register(suite.baseUrl);
      const bob = await createUser(suite.baseUrl);
      await placeOrder(suite.baseUrl, bob.id);
      // The genuine token works before the forgery is tried.
      expect((await api().get('/v1/users/me').set('authorization', bearer(ada.accessToken))).status).toBe(200);
      const authorization = await forge(ada, bob.id);
      for (const route of ROUTES) {
        const call = api().get(route);
        const res = await (authorization === undefined ? call : call.set('authorization', authorization));
        expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
        expect(res.text).not.toContain(bob.email);
      }
      expectProblem(
        await api()
          .post('/v1/orders')
          .set('authorization', authorization ?? '')
          .send({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        401,
        'AUTH.UNAUTHENTICATED',
      );
      expect(await count('SELECT count(*) AS n FROM orders.orders WHERE user_id <> $1', [bob.id])).toBe(0);
    });
  });

  describe('refresh tokens', () => {
    it('rotate: each refresh spends the token and issues a new pair that works', async () => {
      const ada = await register(suite.baseUrl);
      const res = await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.refreshToken));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        account: { id: ada.userId, email: ada.email, role: 'user' },
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      const next = refreshTokenOf(res)!;
      expect(next).not.toBe(ada.refreshToken);
      expect(claimsOf(next).fam).toBe(claimsOf(ada.refreshToken).fam);
      expect((await api().get('/v1/users/me').set('authorization', bearer(res.body.accessToken))).status).toBe(200);
      const again = await api().post('/v1/auth/refresh').set('cookie', refreshCookie(next));
      expect(again.status).toBe(200);
      const [{ n }] = await suite.db.query<{ n: string }>(
        'SELECT count(*) AS n FROM auth.refresh_tokens WHERE user_id = $1 AND token_hash IN ($2, $3)',
        [ada.userId, ada.refreshToken, next],
      );
      expect(Number(n)).toBe(0); // stored only as hashes
    });

    it('detect reuse: a spent token answers AUTH.REFRESH_REUSED and revokes its whole family', async () => {
      const ada = await register(suite.baseUrl);
      const other = await login(suite.baseUrl, ada.email, ada.password);
      const first = await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.refreshToken));
      const current = refreshTokenOf(first)!;
      // Past the grace window (REFRESH_REUSE_GRACE_SECONDS=1 in the test topologies).
      await new Promise((r) => setTimeout(r, 1200));
      expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.refreshToken)), 401, 'AUTH.REFRESH_REUSED');
      // The token the legitimate holder got is revoked with its family...
      expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(current)), 401, 'AUTH.UNAUTHENTICATED');
      // ...and the other sign-in is a different family, untouched.
      expect((await api().post('/v1/auth/refresh').set('cookie', refreshCookie(other.refreshToken))).status).toBe(200);
    });

    it('lets two tabs refresh with the same token at the same moment: both get a token of the family, nothing is revoked', async () => {
      const ada = await register(suite.baseUrl);
      const [a, b] = await Promise.all([1, 2].map(() => api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.refreshToken))));
      expect([a.status, b.status]).toEqual([200, 200]);
      const [ta, tb] = [refreshTokenOf(a)!, refreshTokenOf(b)!];
      expect(ta).not.toBe(tb);
      expect(claimsOf(ta).fam).toBe(claimsOf(ada.refreshToken).fam);
      expect(claimsOf(tb).fam).toBe(claimsOf(ada.refreshToken).fam);
      // Both tabs carry on.
      expect((await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ta))).status).toBe(200);
      expect((await api().post('/v1/auth/refresh').set('cookie', refreshCookie(tb))).status).toBe(200);
    });

    it('refuses a missing cookie, an access token, and a forged refresh token', async () => {
      const ada = await register(suite.baseUrl);
      expectProblem(await api().post('/v1/auth/refresh'), 401, 'AUTH.UNAUTHENTICATED');
      expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.accessToken)), 401, 'AUTH.UNAUTHENTICATED');
      const forged = signer('some-other-secret-that-is-long-enough-1234').sign(
        { token_use: 'refresh', ver: 1, fam: claimsOf(ada.refreshToken).fam },
        { subject: ada.userId, jwtid: claimsOf(ada.refreshToken).jti, expiresIn: 60 },
      );
      expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(forged)), 401, 'AUTH.UNAUTHENTICATED');
    });

    it('logout revokes the sign-in and clears the cookie; other sign-ins keep working', async () => {
      const ada = await register(suite.baseUrl);
      const other = await login(suite.baseUrl, ada.email, ada.password);
      const res = await api().post('/v1/auth/logout').set('cookie', refreshCookie(ada.refreshToken));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(([] as string[]).concat(res.headers['set-cookie'] ?? [])).toEqual([expect.stringMatching(/^refresh_token=; .*Max-Age=0$/)]);
      expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(ada.refreshToken)), 401, 'AUTH.UNAUTHENTICATED');
      expect((await api().post('/v1/auth/refresh').set('cookie', refreshCookie(other.refreshToken))).status).toBe(200);
      // Without a cookie there is nothing to revoke, and the answer is the same.
      expect((await api().post('/v1/auth/logout')).status).toBe(204);
    });
  });

  describe('password change', () => {
    it('needs the current password and a strong new one', async () => {
      const ada = await register(suite.baseUrl);
      const change = (body: object) => api().patch('/v1/auth/password').set('authorization', bearer(ada.accessToken)).send(body);
      expectProblem(
        await change({ currentPassword: 'not the password at all', newPassword: 'a brand new passphrase' }),
        401,
        'AUTH.INVALID_CREDENTIALS',
      );
      expectProblem(await change({ currentPassword: ada.password, newPassword: 'short' }), 400, 'AUTH.WEAK_PASSWORD');
      expectProblem(
        await api().patch('/v1/auth/password').send({ currentPassword: ada.password, newPassword: 'a brand new passphrase' }),
        401,
        'AUTH.UNAUTHENTICATED',
      );
      expect((await suite.db.query('SELECT version FROM auth.credentials WHERE user_id = $1', [ada.userId]))[0]).toEqual({ version: 1 });
    });

    it('revokes every older access and refresh token, and the old password', async () => {
      const ada = await register(suite.baseUrl);
      const elsewhere = await login(suite.baseUrl, ada.email, ada.password);
      await placeOrder(suite.baseUrl, (await createUser(suite.baseUrl)).id);
      const newPassword = 'a brand new passphrase';
      seen.secrets.add(newPassword);
      const res = await api()
        .patch('/v1/auth/password')
        .set('authorization', bearer(ada.accessToken))
        .send({ currentPassword: ada.password, newPassword });
      expect(res.status).toBe(200);
      expect(claimsOf(res.body.accessToken).ver).toBe(2);
      for (const old of [ada.accessToken, elsewhere.accessToken]) {
        expectProblem(await api().get('/v1/users/me').set('authorization', bearer(old)), 401, 'AUTH.UNAUTHENTICATED');
        expectProblem(await api().get('/v1/orders').set('authorization', bearer(old)), 401, 'AUTH.UNAUTHENTICATED');
        expectProblem(
          await api()
            .patch('/v1/auth/password')
            .set('authorization', bearer(old))
            .send({ currentPassword: newPassword, newPassword: 'yet another passphrase' }),
          401,
          'AUTH.UNAUTHENTICATED',
        );
      }
      for (const old of [ada.refreshToken, elsewhere.refreshToken]) {
        expectProblem(await api().post('/v1/auth/refresh').set('cookie', refreshCookie(old)), 401, 'AUTH.UNAUTHENTICATED');
      }
      expect((await api().get('/v1/users/me').set('authorization', bearer(res.body.accessToken))).status).toBe(200);
      expect(
        (
          await api()
            .post('/v1/auth/refresh')
            .set('cookie', refreshCookie(refreshTokenOf(res)!))
        ).status,
      ).toBe(200);
      expectProblem(await api().post('/v1/auth/login').send({ email: ada.email, password: ada.password }), 401, 'AUTH.INVALID_CREDENTIALS');
      expect((await api().post('/v1/auth/login').send({ email: ada.email, password: newPassword })).status).toBe(200);
    });
  });

  describe('a user reaches only their own data', () => {
    it("cannot read, change or delete another user's profile: 404 as for a missing one", async () => {
      const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl, { name: 'Bob' })];
      const asAda = authFor(ada);
      for (const res of [
        await api().get(`/v1/users/${bob.id}`).set('authorization', asAda),
        await api().patch(`/v1/users/${bob.id}`).set('authorization', asAda).send({ name: 'Hacked' }),
        await api().delete(`/v1/users/${bob.id}`).set('authorization', asAda),
      ]) {
        expectProblem(res, 404, 'USERS.NOT_FOUND');
        expect(res.text).not.toContain(bob.email);
      }
      expectProblem(await api().get('/v1/users').set('authorization', asAda), 403, 'AUTH.FORBIDDEN');
      expect((await api().get(`/v1/users/${bob.id}`).set('authorization', authFor(bob))).body).toEqual(bob);
      expect((await api().get(`/v1/users/${ada.id}`).set('authorization', asAda)).body).toEqual(ada);
    });

    it("cannot read, cancel or list another user's orders, also not via ?userId=", async () => {
      const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const adaOrder = await placeOrder(suite.baseUrl, ada.id);
      const bobOrder = await placeOrder(suite.baseUrl, bob.id);
      const asAda = authFor(ada);
      for (const res of [
        await api().get(`/v1/orders/${bobOrder.id}`).set('authorization', asAda),
        await api().post(`/v1/orders/${bobOrder.id}/cancel`).set('authorization', asAda),
      ]) {
        expectProblem(res, 404, 'ORDERS.NOT_FOUND');
        expect(res.text).not.toContain(bob.id);
      }
      const listed = await api().get('/v1/orders').query({ userId: bob.id }).set('authorization', asAda);
      expectProblem(listed, 403, 'AUTH.FORBIDDEN');
      expect(listed.text).not.toContain(bobOrder.id);
      const own = await api().get('/v1/orders').set('authorization', asAda);
      expect(own.body).toEqual({ items: [adaOrder], nextCursor: null });
      expect((await api().get(`/v1/orders/${bobOrder.id}`).set('authorization', authFor(bob))).body).toEqual(bobOrder);
      expect((await suite.db.query('SELECT status FROM orders.orders WHERE id = $1', [bobOrder.id]))[0]).toEqual({ status: 'pending' });
    });

    it.each([
      ['userId', (bob: string) => ({ userId: bob })],
      ['status', () => ({ status: 'cancelled' })],
      ['totalCents', () => ({ totalCents: 0 })],
    ])('refuses %s on order placement; the stored orders prove nothing was placed', async (field, extra) => {
      const [ada, bob] = [await createUser(suite.baseUrl), await createUser(suite.baseUrl)];
      const res = await api()
        .post('/v1/orders')
        .set('authorization', authFor(ada))
        .send({ items: [{ sku: 'A', quantity: 2, unitPriceCents: 150 }], ...extra(bob.id) });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([field]);
      expect(await suite.db.query('SELECT user_id, status, total_cents FROM orders.orders')).toEqual([]);
      // Without the extra field the order is the caller's, pending, with the total the server computed.
      const placed = await api()
        .post('/v1/orders')
        .set('authorization', authFor(ada))
        .send({ items: [{ sku: 'A', quantity: 2, unitPriceCents: 150 }] });
      expect(placed.status).toBe(201);
      expect(await suite.db.query('SELECT user_id, status, total_cents FROM orders.orders')).toEqual([
        { user_id: ada.id, status: 'pending', total_cents: '300' },
      ]);
    });
  });

  describe('hardening', () => {
    it('sends security headers and no-store on authenticated answers', async () => {
      const ada = await register(suite.baseUrl);
      const res = await api().get('/v1/users/me').set('authorization', bearer(ada.accessToken));
      expect(res.headers).toMatchObject({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      // A refused request carrying a credential is not cached either.
      expect((await api().get('/v1/orders').set('authorization', 'Bearer nope')).headers['cache-control']).toBe('no-store');
    });

    it('allows no cross-origin caller when CORS_ORIGINS is empty', async () => {
      const res = await api().get('/health/live').set('origin', 'https://evil.example');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('documents the bearer scheme, which routes need it, and their 401/403/429 answers', async () => {
      const doc = (await api().get('/docs/openapi.json')).body;
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      const op = (path: string, method: string) => doc.paths[path][method];
      for (const [path, method] of [
        ['/v1/users/me', 'get'],
        ['/v1/users', 'get'],
        ['/v1/users/{id}', 'delete'],
        ['/v1/orders', 'post'],
        ['/v1/orders/{id}/cancel', 'post'],
        ['/v1/auth/password', 'patch'],
      ]) {
        expect(op(path, method).security).toEqual([{ bearer: [] }]);
        expect(Object.keys(op(path, method).responses)).toEqual(expect.arrayContaining(['401', '429']));
      }
      for (const [path, method] of [
        ['/v1/auth/register', 'post'],
        ['/v1/auth/login', 'post'],
      ]) {
        expect(op(path, method).security).toBeUndefined();
        expect(Object.keys(op(path, method).responses)).toEqual(expect.arrayContaining(['429']));
      }
      expect(Object.keys(op('/v1/users', 'get').responses)).toContain('403');
      expect(Object.keys(op('/v1/orders', 'get').responses)).toContain('403');
      expect(doc.paths['/v1/users'].post).toBeUndefined();
      expect(op('/v1/auth/refresh', 'post').security).toEqual([{ refresh_token: [] }]);
      expect(doc.components.securitySchemes.refresh_token).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'refresh_token' });
    });
  });

  it('never showed a password, a password hash or a refresh token in any response body or log line of this suite', async () => {
    expect(seen.bodies.length).toBeGreaterThan(100);
    expect(seen.secrets.size).toBeGreaterThan(10);
    const logs = Object.values(suite.topology.processes).map((p) => readFileSync(p.logFile, 'utf8'));
    const leaks = [...seen.bodies, ...logs].flatMap((text) => [
      ...(/\$argon2|password_?hash/i.test(text) ? ['a password hash'] : []),
      ...[...seen.secrets].filter((secret) => text.includes(secret)).map((secret) => `secret ${secret.slice(0, 12)}...`),
    ]);
    expect(leaks).toEqual([]);
  });
});
