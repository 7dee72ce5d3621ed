import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  body: any;
}

/**
 * Sends bytes exactly as given (a request line with dot segments, a bad method, a broken encoding:
 * what an HTTP client library would refuse or normalise) and reads one response until the server
 * closes or the body is complete.
 */
export function rawRequest(baseUrl: string, request: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed = false) => {
      if (settled) return;
      const parsed = parseResponse(Buffer.concat(chunks), closed);
      if (!parsed) return;
      settled = true;
      socket.destroy();
      resolve(parsed);
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      if (!settled)
        reject(new Error(`No complete answer within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 300)}`));
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('error', (err) => !settled && chunks.length === 0 && reject(err));
    socket.on('close', () => {
      finish(true);
      if (!settled)
        reject(new Error(`The connection closed without a complete answer: ${Buffer.concat(chunks).toString('latin1').slice(0, 300)}`));
    });
    socket.write(request);
  });
}

/** A request with `Connection: close`, a Host header and, for a body, its length. */
export function rawHttp(method: string, target: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'host: localhost', 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function parseResponse(data: Buffer, closed: boolean): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (!closed && length !== undefined && rest.length < length) return undefined;
  if (!closed && length === undefined) return undefined;
  const text = rest.subarray(0, length ?? rest.length).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, body };
}
