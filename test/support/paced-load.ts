import { Agent, request } from 'node:http';

/** One call of a load: what it was, when, and how it ended. */
export interface LoadOutcome {
  /** The operation, e.g. `read` or `place-order`. */
  op: string;
  /** A label the load gives the moment the call started in (e.g. `before`, `during`, `after`). */
  phase: string;
  /** `performance.now()` milliseconds. */
  startedAt: number;
  endedAt: number;
  status?: number;
  /** The socket error (ECONNRESET, ...) or TIMEOUT when no answer came. */
  error?: string;
  /** The `code` of a problem+json answer, when the load looked at it. */
  code?: string;
}

export interface JsonAnswer {
  status?: number;
  body?: any;
  error?: string;
}

/**
 * A JSON client over kept-alive connections, as a browser or an upstream service would call an API
 * behind a load balancer. Nothing is retried: every failure reaches the caller.
 */
export class KeepAliveClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly baseUrl: string) {}

  call(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<JsonAnswer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const req = request(
        new URL(path, this.baseUrl),
        {
          method,
          agent: this.agent,
          timeout: 15_000,
          headers: {
            ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }),
            ...headers,
          },
        },
        (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (answer += chunk));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = answer ? JSON.parse(answer) : undefined;
            } catch {
              parsed = answer;
            }
            resolve({ status: res.statusCode, body: parsed });
          });
          res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 15 s'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end(text);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Starts `call(n)` at a steady `ratePerSecond` (an open loop: a slow answer does not slow the load down,
 * as real clients do not wait for each other) until `stop` resolves, then waits for the calls in flight.
 * Calls beyond `maxInFlight` wait for a slot, so an unanswering server cannot pile up unbounded work.
 */
export async function pacedLoad(
  ratePerSecond: number,
  call: (n: number) => Promise<LoadOutcome[]>,
  stop: Promise<unknown>,
  maxInFlight = 200,
): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let running = true;
  void stop.then(() => (running = false));
  const interval = 1000 / ratePerSecond;
  const started = performance.now();
  for (let n = 0; running; n++) {
    const wait = started + n * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (!running) break;
    const done: Promise<void> = call(n).then((results) => {
      outcomes.push(...results);
      inFlight.delete(done);
    });
    inFlight.add(done);
  }
  await Promise.all(inFlight);
  return outcomes;
}

/** The `p`-th percentile (0-100) of `values` by the nearest-rank method; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
