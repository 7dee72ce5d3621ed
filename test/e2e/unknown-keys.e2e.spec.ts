import request from 'supertest';
import { authFor, createUser, CreatedUser, SAMPLE_LINES, uniqueEmail } from '../support/api-fixtures.js';
import { TEST_PASSWORD } from '../support/auth-fixtures.js';
import { useE2eSuite } from '../support/e2e-suite.js';
import { expectProblem, violatedFields } from '../support/problem.js';

/**
 * Keys no contract declares but JavaScript objects answer to: the members of Object.prototype, and the
 * names the framework strips before validation. Each is an unknown field like any other.
 */
const KEYS: Array<[string, string]> = [
  ['prototype', '1'],
  ['toString', '1'],
  ['valueOf', '"x"'],
  ['hasOwnProperty', 'true'],
  ['isPrototypeOf', '1'],
  ['propertyIsEnumerable', '1'],
  ['toLocaleString', '1'],
  ['__defineGetter__', '1'],
  ['__defineSetter__', '1'],
  ['__lookupGetter__', '1'],
  ['__lookupSetter__', '1'],
  ['constructor', '1'],
  ['constructor', '"x"'],
  ['constructor', 'null'],
  ['constructor', '{"prototype":{"role":"admin"}}'],
  ['__proto__', '{"role":"admin"}'],
  ['role', '"admin"'],
];

/** A JSON object's text with one more key, written as text so `__proto__` stays a plain key. */
const withKey = (body: object, key: string, value: string) => `${JSON.stringify(body).slice(0, -1)},"${key}":${value}}`;

describe('unknown keys named like Object.prototype members are refused like any other unknown key', () => {
  const suite = useE2eSuite('unknown-keys');
  const api = () => request(suite.baseUrl);
  let user: CreatedUser;

  describe.each(KEYS)('the key %s (value %s)', (key, value) => {
    beforeEach(async () => {
      user = await createUser(suite.baseUrl);
    });

    it('POST /v1/auth/register: 400 COMMON.VALIDATION_FAILED naming it, and no account', async () => {
      const email = uniqueEmail('proto');
      const body = withKey({ name: 'Mallory', email, password: TEST_PASSWORD }, key, value);
      const res = await api().post('/v1/auth/register').set('content-type', 'application/json').send(body);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([key]);
      const login = await api().post('/v1/auth/login').send({ email, password: TEST_PASSWORD });
      expectProblem(login, 401, 'AUTH.INVALID_CREDENTIALS');
    });

    it('POST /v1/orders, top level: 400 COMMON.VALIDATION_FAILED naming it', async () => {
      const res = await api()
        .post('/v1/orders')
        .set('authorization', authFor(user))
        .set('content-type', 'application/json')
        .send(withKey({ items: SAMPLE_LINES }, key, value));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([key]);
    });

    it('POST /v1/orders, in an item: 400 COMMON.VALIDATION_FAILED naming it', async () => {
      const item = withKey(SAMPLE_LINES[0], key, value);
      const res = await api()
        .post('/v1/orders')
        .set('authorization', authFor(user))
        .set('content-type', 'application/json')
        .send(`{"items":[${JSON.stringify(SAMPLE_LINES[1])},${item}]}`);
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([`items.1.${key}`]);
      const orders = await api().get('/v1/orders').set('authorization', authFor(user));
      expect({ status: orders.status, items: orders.body.items }).toEqual({ status: 200, items: [] });
    });

    it('PATCH /v1/users/:id: 400 COMMON.VALIDATION_FAILED naming it, and the name unchanged', async () => {
      const res = await api()
        .patch(`/v1/users/${user.id}`)
        .set('authorization', authFor(user))
        .set('content-type', 'application/json')
        .send(withKey({ name: 'Renamed' }, key, value));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([key]);
      const me = await api().get('/v1/users/me').set('authorization', authFor(user));
      expect({ status: me.status, name: me.body.name }).toEqual({ status: 200, name: user.name });
    });
  });

  it.each([['toString'], ['constructor'], ['prototype'], ['admin']])(
    'GET /v1/orders?%s=1: 400 COMMON.VALIDATION_FAILED naming it',
    async (key) => {
      user = await createUser(suite.baseUrl);
      const res = await api().get(`/v1/orders?${key}=1`).set('authorization', authFor(user));
      expectProblem(res, 400, 'COMMON.VALIDATION_FAILED');
      expect(violatedFields(res)).toEqual([key]);
    },
  );
});
