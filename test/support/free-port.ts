import { createServer } from 'node:net';

/**
 * Ports for the processes a test starts. A port handed out here is bound later, by a child that takes
 * a second or two to start, so it must not be taken by anyone else in between:
 *
 * - The ports come from a range below the kernel's ephemeral range (32768-60999 on Linux by default),
 *   so no outgoing connection and no listener on port 0 (another test, the other lane) is ever given one.
 * - Within one test process they are handed out in turn from a cursor and never twice until the range
 *   wraps, so two calls never agree on a port, however close together.
 * - Runs side by side take disjoint ranges: `TEST_PORT_RANGE=<first>-<last>` (the topology runner
 *   gives each lane its own). Without it the range is 20000-24999, from a random point in it.
 *
 * Each candidate is checked by listening on it, so a port some unrelated process holds is skipped.
 */
const DEFAULT_RANGE = '20000-24999';

function portRange(): { first: number; last: number } {
  const text = process.env.TEST_PORT_RANGE?.trim() || DEFAULT_RANGE;
  const match = /^(\d+)-(\d+)$/.exec(text);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1024 || last > 65535 || last - first < 99) {
    throw new Error(`TEST_PORT_RANGE="${text}" is not <first>-<last> with at least 100 ports between 1024 and 65535`);
  }
  return { first, last };
}

let cursor: number | undefined;

function nextCandidate(): number {
  const { first, last } = portRange();
  const size = last - first + 1;
  cursor = cursor === undefined ? Math.floor(Math.random() * size) : (cursor + 1) % size;
  return first + cursor;
}

/** Whether a listener can bind `port` on loopback right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A loopback port no other caller in this process has been given, free right now. */
export async function freePort(): Promise<number> {
  const { first, last } = portRange();
  for (let tried = 0; tried <= last - first; tried++) {
    const port = nextCandidate();
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port in ${first}-${last}`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}
