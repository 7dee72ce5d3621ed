import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';

const sessions = new WeakMap<DataSource, ModuleSession>();

/** How long a statement on the session may take before the session counts as lost. */
const QUERY_TIMEOUT_MS = 5000;

/**
 * One module core's own PostgreSQL session, outside the request pool, shared by what the module's
 * processes coordinate through: it holds the advisory locks that make a process the module's relay (a
 * session lock lives exactly as long as its session, so a process that dies or loses its connection
 * gives the lead up with it), and it LISTENs for the notifications through which replicas tell each
 * other that an event was written or delivered, or that an account's credentials changed.
 *
 * TCP keepalives on both ends let a session whose peer vanished without closing it (a host that
 * died, a cut network) end within about 25 s, on the server as on the client. When it ends, the
 * session reconnects on the next use and listens again.
 */
export class ModuleSession {
  private readonly logger = new Logger('ModuleSession');
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly listeners = new Map<string, (payload: string) => void>();
  private opened = 0;
  /** Statements run one after another: a client runs one at a time, and queuing on it is deprecated. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly name: string,
  ) {}

  /**
   * The session of a module's data source, one per data source and process; undefined on the embedded
   * database, which belongs to one process and so has nobody to coordinate with.
   */
  static of(dataSource: DataSource, name: string): ModuleSession | undefined {
    const url = (dataSource.options as { url?: string }).url;
    if (!url) return undefined;
    let session = sessions.get(dataSource);
    if (!session) sessions.set(dataSource, (session = new ModuleSession(url, name)));
    return session;
  }

  /** Whether the session is connected now (it may still turn out to be dead on its next statement). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Counts the connections made: a lock taken under one generation is gone in the next. */
  get generation(): number {
    return this.opened;
  }

  /** Calls `listener` with each notification's payload on `channel`, from the next connection on. */
  listen(channel: string, listener: (payload: string) => void): void {
    this.listeners.set(channel, listener);
    const client = this.client;
    if (client) this.serially(() => client.query(`LISTEN "${channel}"`)).catch((err: unknown) => this.lost(err, client));
  }

  /** Runs a statement on the session, connecting first if needed; a failure ends the session. */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = await this.connect();
    try {
      return (await this.serially(() => client.query<R>(sql, params))).rows;
    } catch (err) {
      this.lost(err, client);
      throw err;
    }
  }

  /** Connects (once at a time) and listens on every registered channel. */
  connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Ends the session: every lock it holds is released by the server. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `mm-${this.name}-session`,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    client.on('error', (err) => this.lost(err, client));
    client.on('end', () => this.lost(undefined, client));
    client.on('notification', ({ channel, payload }) => this.listeners.get(channel)?.(payload ?? ''));
    try {
      await client.connect();
      await client.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
      for (const channel of this.listeners.keys()) await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.opened += 1;
    return client;
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private lost(err: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    if (err) this.logger.warn({ err, session: this.name }, "The module's session was lost; it reconnects on next use");
    client.end().catch(() => undefined);
  }
}
