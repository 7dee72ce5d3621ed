import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { authFor, collectPages, createAdmin, createUser, CreatedUser, uniqueEmail } from '../support/api-fixtures.js';
import { bearer, TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem, violatedFields } from '../support/problem.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('users API', () => {
  const suite = useE2eSuite('users');
  const api = () => request(suite.baseUrl);
  /** Registration is the only way to create a user; it takes the profile fields and a password. */
  const registerBody = (body: object) =>
    api()
      .post('/v1/auth/register')
      .send({ password: TEST_PASSWORD, ...body });

  describe('creating a user (POST /v1/auth/register)', () => {
    it('creates a user with a trimmed name and a trimmed, lower-cased email', async () => {
      const email = uniqueEmail('Ada.Case');
      const res = await registerBody({ name: '  Ada Lovelace ', email: `  ${email.toUpperCase()} ` });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.account).toEqual({ id: expect.stringMatching(UUID), email: email.toLowerCase(), role: 'user' });
      const read = await api().get(`/v1/users/${res.body.account.id}`).set('authorization', bearer(res.body.accessToken));
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        id: res.body.account.id,
        name: 'Ada Lovelace',
        email: email.toLowerCase(),
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
    });

    it('is the only way: POST /v1/users does not exist (the path lists users, so the method is refused)', async () => {
      const admin = await createAdmin(suite.baseUrl);
      const res = await api().post('/v1/users').set('authorization', authFor(admin)).send({ name: 'Ada', email: uniqueEmail() });
      expectProblem(res, 405, 'COMMON.METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('GET, HEAD');
    });

    it('refuses an unknown field', async () => {
      const res = await registerBody({ name: 'Ada', email: uniqueEmail(), role: 'admin' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['role']);
    });

    it('refuses a missing email', async () => {
      const res = await registerBody({ name: 'Ada' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
    });

    it.each([['not-an-email'], ['ada@'], ['@example.com'], ['ada@localhost'], [42]])('refuses the invalid email %p', async (email) => {
      const res = await registerBody({ name: 'Ada', email });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['null', null],
      ['101 characters long', 'x'.repeat(101)],
    ])('refuses a name that is %s', async (_label, name) => {
      const res = await registerBody({ name, email: uniqueEmail() });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['name']);
    });

    it('refuses a body that is not an object', async () => {
      const res = await api()
        .post('/v1/auth/register')
        .send([{ name: 'Ada', email: uniqueEmail(), password: TEST_PASSWORD }]);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
    });

    it.each([
      ['the same email', (e: string) => e],
      ['the email in another case', (e: string) => e.toUpperCase()],
      ['the email with surrounding spaces', (e: string) => `  ${e}\t`],
    ])('answers 409 AUTH.EMAIL_TAKEN for %s, and stores nothing', async (_label, variant) => {
      const email = uniqueEmail('taken');
      const first = await createUser(suite.baseUrl, { email });
      const res = await registerBody({ name: 'Someone Else', email: variant(email) });
      expectProblem(res, 409, 'AUTH.EMAIL_TAKEN');
      const admin = await createAdmin(suite.baseUrl);
      const list = await api().get('/v1/users').set('authorization', authFor(admin));
      expect(list.body.items).toEqual([first, admin]);
    });
  });

  describe('GET /v1/users/:id', () => {
    it('answers 404 USERS.NOT_FOUND for an unknown id', async () => {
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(await api().get(`/v1/users/${randomUUID()}`).set('authorization', authFor(admin)), 404, 'USERS.NOT_FOUND');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().get('/v1/users/not-a-uuid').set('authorization', authFor(user));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['id']);
    });

    it("answers GET /v1/users/me with the caller's own profile", async () => {
      const user = await createUser(suite.baseUrl, { name: 'Me Myself' });
      const res = await api().get('/v1/users/me').set('authorization', authFor(user));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(user);
    });
  });

  describe('GET /v1/users (admins)', () => {
    it('answers a first page with only the admin when no one else has registered', async () => {
      const admin = await createAdmin(suite.baseUrl);
      const res = await api().get('/v1/users').set('authorization', authFor(admin));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [admin], nextCursor: null });
    });

    it('answers 403 AUTH.FORBIDDEN to a user who is not an admin', async () => {
      const user = await createUser(suite.baseUrl);
      expectProblem(await api().get('/v1/users').set('authorization', authFor(user)), 403, 'AUTH.FORBIDDEN');
    });

    it('pages through every user exactly once, oldest first', async () => {
      const created: CreatedUser[] = [await createAdmin(suite.baseUrl)];
      for (let i = 0; i < 6; i++) created.push(await createUser(suite.baseUrl, { name: `User ${i}` }));
      const asAdmin = authFor(created[0]);

      const pages = await collectPages<CreatedUser>(suite.baseUrl, '/v1/users', { limit: 3 }, asAdmin);
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
      expect(pages.slice(0, -1).every((p) => typeof p.nextCursor === 'string')).toBe(true);
      expect(pages[pages.length - 1].nextCursor).toBeNull();
      expect(pages.flatMap((p) => p.items.map((u) => u.id))).toEqual(created.map((u) => u.id));

      // The same cursor gives the same page: the order is stable.
      const again = await api().get('/v1/users').set('authorization', asAdmin).query({ limit: 3, cursor: pages[0].nextCursor! });
      expect(again.body).toEqual(pages[1]);
    });

    it('does not skip or repeat users when one is deleted between pages', async () => {
      const created: CreatedUser[] = [await createAdmin(suite.baseUrl)];
      for (let i = 0; i < 3; i++) created.push(await createUser(suite.baseUrl));
      const asAdmin = authFor(created[0]);
      const first = await api().get('/v1/users').set('authorization', asAdmin).query({ limit: 2 });
      expect(first.body.items.map((u: CreatedUser) => u.id)).toEqual([created[0].id, created[1].id]);
      await api().delete(`/v1/users/${created[1].id}`).set('authorization', asAdmin).expect(204);
      const second = await api().get('/v1/users').set('authorization', asAdmin).query({ limit: 2, cursor: first.body.nextCursor });
      expect(second.body).toEqual({ items: [created[2], created[3]], nextCursor: null });
    });

    it('returns 20 users by default', async () => {
      const admin = await createAdmin(suite.baseUrl);
      for (let i = 0; i < 20; i++) await createUser(suite.baseUrl);
      const res = await api().get('/v1/users').set('authorization', authFor(admin));
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(20);
      expect(res.body.nextCursor).toEqual(expect.any(String));
    });

    it.each([['0'], ['101'], ['abc'], ['1.5'], ['-1']])('answers 400 for limit=%s', async (limit) => {
      const admin = await createAdmin(suite.baseUrl);
      const res = await api().get('/v1/users').set('authorization', authFor(admin)).query({ limit });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['limit']);
    });

    it('accepts the limits 1 and 100', async () => {
      const admin = await createAdmin(suite.baseUrl);
      await createUser(suite.baseUrl);
      const one = await api().get('/v1/users').set('authorization', authFor(admin)).query({ limit: 1 });
      expect(one.status).toBe(200);
      expect(one.body.items).toHaveLength(1);
      const hundred = await api().get('/v1/users').set('authorization', authFor(admin)).query({ limit: 100 });
      expect(hundred.status).toBe(200);
      expect(hundred.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(hundred.body.items).toHaveLength(2);
    });

    it.each([['not-a-cursor'], ['!!!'], ['MA'], ['LTE']])('answers 400 USERS.INVALID_CURSOR for cursor=%s', async (cursor) => {
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(await api().get('/v1/users').set('authorization', authFor(admin)).query({ cursor }), 400, 'USERS.INVALID_CURSOR');
    });

    it('refuses an unknown query parameter', async () => {
      const admin = await createAdmin(suite.baseUrl);
      const res = await api().get('/v1/users').set('authorization', authFor(admin)).query({ sort: 'name' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['sort']);
    });
  });

  describe('PATCH /v1/users/:id', () => {
    it("changes the user's name and nothing else", async () => {
      const user = await createUser(suite.baseUrl, { name: 'Ada' });
      const res = await api().patch(`/v1/users/${user.id}`).set('authorization', authFor(user)).send({ name: ' Ada King ' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...user, name: 'Ada King', updatedAt: expect.stringMatching(ISO_DATE) });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(user.updatedAt));
      expect((await api().get(`/v1/users/${user.id}`).set('authorization', authFor(user))).body).toEqual(res.body);
    });

    it('refuses to change the email', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().patch(`/v1/users/${user.id}`).set('authorization', authFor(user)).send({ name: 'Ada', email: uniqueEmail() });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['email']);
      expect((await api().get(`/v1/users/${user.id}`).set('authorization', authFor(user))).body).toEqual(user);
    });

    it('refuses an empty name', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().patch(`/v1/users/${user.id}`).set('authorization', authFor(user)).send({ name: '' });
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual(['name']);
    });

    it('answers 404 USERS.NOT_FOUND for an unknown id', async () => {
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(
        await api().patch(`/v1/users/${randomUUID()}`).set('authorization', authFor(admin)).send({ name: 'Nobody' }),
        404,
        'USERS.NOT_FOUND',
      );
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      expectProblem(
        await api().patch('/v1/users/123').set('authorization', authFor(user)).send({ name: 'Nobody' }),
        400,
        'COMMON.VALIDATION_FAILED',
      );
    });
  });

  describe('DELETE /v1/users/:id', () => {
    it('deletes the user: 204 with no body, then 404 on read and on a second delete', async () => {
      const user = await createUser(suite.baseUrl);
      const res = await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(user));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const admin = await createAdmin(suite.baseUrl);
      expectProblem(await api().get(`/v1/users/${user.id}`).set('authorization', authFor(admin)), 404, 'USERS.NOT_FOUND');
      expectProblem(await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(admin)), 404, 'USERS.NOT_FOUND');
      expect((await api().get('/v1/users').set('authorization', authFor(admin))).body.items).toEqual([admin]);
    });

    it('ends the account with the profile: the old token is refused and the password no longer signs in', async () => {
      const email = uniqueEmail();
      const user = await createUser(suite.baseUrl, { email });
      await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(user)).expect(204);
      expectProblem(await api().get('/v1/users/me').set('authorization', authFor(user)), 401, 'AUTH.UNAUTHENTICATED');
      expectProblem(
        await api()
          .post('/v1/orders')
          .set('authorization', authFor(user))
          .send({ items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] }),
        401,
        'AUTH.UNAUTHENTICATED',
      );
      expectProblem(await api().post('/v1/auth/login').send({ email, password: TEST_PASSWORD }), 401, 'AUTH.INVALID_CREDENTIALS');
      expect((await suite.db.query('SELECT count(*)::int AS n FROM auth.credentials WHERE user_id = $1', [user.id]))[0].n).toBe(0);
    });

    it("an admin's delete ends that account too", async () => {
      const email = uniqueEmail();
      const user = await createUser(suite.baseUrl, { email });
      const admin = await createAdmin(suite.baseUrl);
      await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(admin)).expect(204);
      expectProblem(await api().post('/v1/auth/login').send({ email, password: TEST_PASSWORD }), 401, 'AUTH.INVALID_CREDENTIALS');
    });

    it('frees the email for a new user', async () => {
      const email = uniqueEmail();
      const user = await createUser(suite.baseUrl, { email });
      await api().delete(`/v1/users/${user.id}`).set('authorization', authFor(user)).expect(204);
      const again = await createUser(suite.baseUrl, { email });
      expect(again.id).not.toBe(user.id);
    });

    it('answers 400 for an id that is not a uuid', async () => {
      const user = await createUser(suite.baseUrl);
      expectProblem(await api().delete('/v1/users/not-a-uuid').set('authorization', authFor(user)), 400, 'COMMON.VALIDATION_FAILED');
    });
  });
});
