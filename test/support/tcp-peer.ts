import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: any;
  isDisposed?: boolean;
  status?: string;
}

/**
 * A bare peer of NestJS's TCP transport (`<length>#<json>` frames), so a spec can send what no
 * well-behaved client would: any payload, any pattern, a frame of any size, or plain garbage.
 */
export class TcpPeer {
  readonly replies: ReplyPacket[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed = false;
  readonly ready: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    this.ready = new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<TcpPeer> {
    const peer = new TcpPeer(connect({ host, port }));
    await peer.ready;
    return peer;
  }

  /** Sends one request and resolves with its reply (or rejects when the connection closes first). */
  async request(pattern: unknown, data: unknown, metadata: Record<string, unknown> = {}, timeoutMs = 5000): Promise<ReplyPacket> {
    const id = randomUUID();
    this.writeFrame(JSON.stringify({ pattern, data, id, metadata }));
    await this.waitFor((r) => r.id === id && (r.isDisposed === true || r.err !== undefined), timeoutMs);
    // A reply may arrive as a value packet followed by a "disposed" one: fold them into one.
    return Object.assign({}, ...this.replies.filter((r) => r.id === id));
  }

  writeFrame(json: string): void {
    this.socket.write(`${json.length}#${json}`);
  }

  writeRaw(text: string): void {
    this.socket.write(text);
  }

  /** Resolves with the first reply matching `predicate`, or rejects when the connection closes or time runs out. */
  waitFor(predicate: (reply: ReplyPacket) => boolean, timeoutMs = 5000): Promise<ReplyPacket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No matching reply within ${timeoutMs} ms; got ${JSON.stringify(this.replies).slice(0, 500)}`)),
        timeoutMs,
      );
      const check = () => {
        const found = this.replies.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`The connection closed first; replies: ${JSON.stringify(this.replies).slice(0, 500)}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = () => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once the server has closed the connection; rejects if it is still open after `timeoutMs`. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error(`Still open after ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const hash = this.buffer.indexOf('#');
      if (hash < 0) break;
      const length = Number(this.buffer.slice(0, hash));
      if (this.buffer.length < hash + 1 + length) break;
      const frame = this.buffer.slice(hash + 1, hash + 1 + length);
      this.buffer = this.buffer.slice(hash + 1 + length);
      try {
        this.replies.push(JSON.parse(frame));
      } catch {
        this.replies.push({ status: 'unparseable' });
      }
    }
    this.notify();
  }

  private notify(): void {
    [...this.waiters].forEach((w) => w());
  }
}
