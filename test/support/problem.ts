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
