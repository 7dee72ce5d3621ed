import { randomBytes } from 'node:crypto';
import request, { type Response, type Test } from 'supertest';

/** The address the harness configures as ADMIN_EMAIL: whoever registers it is an admin. */
export const E2E_ADMIN_EMAIL = 'admin@e2e.example.com';
/** A password that passes the strength rule; suites that do not test passwords use it. */
export const TEST_PASSWORD = 'e2e correct horse battery';
export const JWT_ISSUER = 'mm-e2e';
export const JWT_AUDIENCE = 'mm-e2e-api';

/**
 * Auth settings for every process of a test topology. Each topology gets its own random secret, shared
 * by all of its processes (a token signed by one must verify in all). Rate limits are out of the way
 * here; the rate-limit suite sets its own.
 */
export function authTestEnv(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    JWT_ISSUER,
    JWT_AUDIENCE,
    ADMIN_EMAIL: E2E_ADMIN_EMAIL,
    RATE_LIMIT: '1000000',
    CREDENTIAL_RATE_LIMIT: '1000000',
    CREDENTIAL_CLIENT_RATE_LIMIT: '1000000',
    // Short, so the reuse specs need not wait long to be past it.
    REFRESH_REUSE_GRACE_SECONDS: '1',
  };
}

/**
 * Every response body the fixtures and recording clients saw, and every secret handed out (passwords
 * sent, refresh tokens received), so a suite can assert that no body ever carried one.
 */
export const seen = { bodies: [] as string[], secrets: new Set<string>() };

function record(res: Response): void {
  seen.bodies.push(res.text ?? '');
  const token = refreshTokenOf(res);
  if (token) seen.secrets.add(token);
}

/** A supertest client whose every response is recorded in `seen`. */
export function recordingApi(baseUrl: string) {
  const agent = request(baseUrl);
  const wrap = (test: Test) => test.on('response', record);
  return {
    get: (path: string) => wrap(agent.get(path)),
    post: (path: string) => wrap(agent.post(path)),
    patch: (path: string) => wrap(agent.patch(path)),
    delete: (path: string) => wrap(agent.delete(path)),
  };
}

/** The refresh token a response set in its cookie, if any. */
export function refreshTokenOf(res: Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const value = cookies.map((c) => /^refresh_token=([^;]*)/.exec(c)?.[1]).find((v) => v !== undefined);
  return value || undefined;
}

export const bearer = (token: string) => `Bearer ${token}`;
export const refreshCookie = (token: string) => `refresh_token=${token}`;

export interface Session {
  userId: string;
  email: string;
  password: string;
  role: string;
  accessToken: string;
  refreshToken: string;
}

function session(res: Response, password: string): Session {
  const refreshToken = refreshTokenOf(res);
  if (!refreshToken) throw new Error(`No refresh cookie in: ${res.status} ${JSON.stringify(res.headers)}`);
  return {
    userId: res.body.account.id,
    email: res.body.account.email,
    role: res.body.account.role,
    password,
    accessToken: res.body.accessToken,
    refreshToken,
  };
}

let sequence = 0;
/** An email no other registration of the run uses. */
export function freshEmail(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}-${randomBytes(3).toString('hex')}@example.com`;
}

/** Registers an account through the API and fails loudly if that does not work. */
export async function register(
  baseUrl: string,
  overrides: Partial<{ name: string; email: string; password: string }> = {},
): Promise<Session> {
  const body = { name: 'Ada Lovelace', email: freshEmail(), password: TEST_PASSWORD, ...overrides };
  seen.secrets.add(body.password);
  const res = await recordingApi(baseUrl).post('/v1/auth/register').send(body);
  if (res.status !== 201) throw new Error(`Registering answered ${res.status}: ${JSON.stringify(res.body)}`);
  return session(res, body.password);
}

export async function login(baseUrl: string, email: string, password: string): Promise<Session> {
  const res = await recordingApi(baseUrl).post('/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`Signing in answered ${res.status}: ${JSON.stringify(res.body)}`);
  return session(res, password);
}

/** The admin account of the current test database: registered on first use after each reset, else signed in. */
export async function admin(baseUrl: string): Promise<Session> {
  const res = await recordingApi(baseUrl)
    .post('/v1/auth/register')
    .send({ name: 'Admin', email: E2E_ADMIN_EMAIL, password: TEST_PASSWORD });
  if (res.status === 201) return session(res, TEST_PASSWORD);
  if (res.status === 409) return login(baseUrl, E2E_ADMIN_EMAIL, TEST_PASSWORD);
  throw new Error(`Registering the admin answered ${res.status}: ${JSON.stringify(res.body)}`);
}
