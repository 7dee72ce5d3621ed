import { createServer } from 'node:net';

/**
 * A TCP port that is free on the loopback interface right now: the kernel picks it for a listener on
 * port 0, which is closed again before the port is handed out. Parallel runs therefore never agree on
 * a port the way fixed numbers would.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('No port was assigned'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
