import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
}

function run(url: string, settings: LoadSettings, durationS: number, next: () => LoadRequest): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: settings.connections,
    duration: durationS,
    // Each request is built when it is sent, so consecutive requests act for different users.
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
}

/**
 * Loads `url` with requests from `next` for the warm-up (not recorded, so every case is measured on
 * code the JIT has already seen), then for the measured duration.
 */
export async function load(
  url: string,
  settings: LoadSettings,
  next: () => LoadRequest,
  measuring: () => void = () => undefined,
): Promise<LoadResult> {
  if (settings.warmupS > 0) await run(url, settings, settings.warmupS, next);
  measuring();
  const r = await run(url, settings, settings.durationS, next);
  return {
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok: r['2xx'],
    failed: r.non2xx + r.errors + r.timeouts,
  };
}
