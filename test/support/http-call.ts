import { request } from 'node:http';

export interface HttpOutcome {
  /** When the request was sent and when it ended, in `performance.now()` milliseconds (monotonic, sub-millisecond). */
  startedAt: number;
  endedAt: number;
  correlationId: string;
  /** The status of the answer; undefined when the exchange failed below HTTP. */
  status?: number;
  body?: string;
  contentType?: string;
  /** The socket error (ECONNREFUSED, ECONNRESET, ...) when there was no answer. */
  error?: string;
}

/**
 * One JSON POST on a connection of its own (no keep-alive), so that a refused connection and an answered
 * request are told apart cleanly, with the correlation id the server will log.
 */
export function postJson(
  baseUrl: string,
  path: string,
  body: object,
  correlationId: string,
  headers: Record<string, string> = {},
): Promise<HttpOutcome> {
  const startedAt = performance.now();
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method: 'POST',
        agent: false,
        timeout: 15_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-correlation-id': correlationId,
          ...headers,
        },
      },
      (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (answer += chunk));
        res.on('end', () => resolve({ startedAt, endedAt: performance.now(), correlationId, status: res.statusCode, body: answer }));
        res.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ startedAt, endedAt: performance.now(), correlationId, error: err.code ?? err.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 15 s'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ startedAt, endedAt: performance.now(), correlationId, error: err.code ?? err.message }),
    );
    req.end(text);
  });
}

/** Any JSON request on a connection of its own, as `postJson`; `body` undefined sends none. */
export function sendJson(
  baseUrl: string,
  method: string,
  path: string,
  body: object | undefined,
  correlationId: string,
  headers: Record<string, string> = {},
): Promise<HttpOutcome> {
  const startedAt = performance.now();
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        agent: false,
        timeout: 15_000,
        headers: {
          ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
          'x-correlation-id': correlationId,
          ...headers,
        },
      },
      (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (answer += chunk));
        res.on('end', () =>
          resolve({
            startedAt,
            endedAt: performance.now(),
            correlationId,
            status: res.statusCode,
            body: answer,
            contentType: res.headers['content-type'],
          }),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ startedAt, endedAt: performance.now(), correlationId, error: err.code ?? err.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 15 s'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ startedAt, endedAt: performance.now(), correlationId, error: err.code ?? err.message }),
    );
    req.end(text);
  });
}
