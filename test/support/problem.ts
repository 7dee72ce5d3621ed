import type { Response } from 'supertest';

/**
 * Asserts that a response is an RFC 9457 problem with exactly this status and error code, and that
 * its body names the same correlation id as its header.
 */
export function expectProblem(res: Response, status: number, code: string): void {
  // Status and code together, so a failure shows both at once.
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
    instance: expect.any(String),
    correlationId: res.headers['x-correlation-id'],
  });
}

/** The fields a validation problem names. */
export function violatedFields(res: Response): string[] {
  return ((res.body?.errors ?? []) as Array<{ field: string }>).map((e) => e.field).sort();
}

/**
 * The same for an answer read off the socket, plus what every error answer must carry whatever
 * produced it (the router, the HTTP parser, a handler): the security headers, `no-store`, and no
 * word of the web framework behind it.
 */
export function expectRawProblem(
  res: { status: number; headers: Record<string, string>; text: string; body: any },
  status: number,
  code: string,
): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:problem:${code}`, status, code, correlationId: res.headers['x-correlation-id'] });
  expect(res.headers['x-correlation-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toEqual(expect.any(String));
  expect(res.text).not.toMatch(/fastify|FST_/i);
}
