import { connect, createServer, type Socket } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Connections handed to each backend port so far. */
  readonly counts: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A TCP round robin on loopback: each new connection goes to the next backend, bytes pass untouched
 * (so what a gateway answers to a malformed request reaches the client as it is). With one request per
 * connection, requests alternate between the backends.
 */
export async function startRoundRobin(backends: number[]): Promise<RoundRobin> {
  let next = 0;
  const counts = new Map<number, number>(backends.map((port) => [port, 0]));
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const port = backends[next++ % backends.length];
    counts.set(port, (counts.get(port) ?? 0) + 1);
    const upstream = connect({ host: '127.0.0.1', port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
