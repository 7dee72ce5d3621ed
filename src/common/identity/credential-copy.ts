import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { ModuleSession } from '../database/module-session.js';
import { CredentialVersions } from './credential-versions.js';
import type { UserIdentity } from './identity.js';
import { unauthenticated } from './token.verifier.js';

/** The latest credentials of one account, as the token issuer announced them. */
export interface CredentialState {
  userId: string;
  version: number;
  role: string;
  /** false once the account is gone: every token of it is refused. */
  active: boolean;
}

/** Higher than any version an issuer will reach: recorded for an account that is gone, it outranks every later announcement. */
const GONE_VERSION = 2_147_483_647;

/**
 * The state of an account a module itself knows to be gone (its profile deleted) before the issuer
 * says so: every token of it is refused, whatever version it carries.
 */
export function accountGone(userId: string): CredentialState {
  return { userId, version: GONE_VERSION, role: '-', active: false };
}

/** Something to run once the transaction that wrote a change has committed. */
export type AfterCommit = (action: () => void) => void;

/**
 * A module core's own copy of every account's latest credential version, kept in its schema (table
 * `credential_versions`) and in memory, fed by the issuer's events. A token is checked against it
 * without a call and without a query: one issued under an older version, or for an account that is
 * gone or whose role changed, is refused. An account the copy has not heard of yet is accepted on the
 * strength of its signature, because its token cannot be older than what the issuer last announced.
 *
 * Other replicas of the same module apply the same changes to the shared table; each process re-reads
 * the rows changed since it last looked every `refreshMs`, which bounds how late a revocation applied
 * by another replica reaches this one. "Since it last looked" goes by transaction id, not by a
 * sequence: each read also takes the oldest transaction still running at that moment (the snapshot's
 * xmin), and the next read takes every row changed by that transaction or a later one. A transaction
 * that drew an earlier number but committed after the read is so never skipped; rows read twice are
 * harmless, since a version only ever replaces a lower one.
 *
 * On PostgreSQL the replica that applies a change also announces it (NOTIFY, sent when its transaction
 * commits) to the others through their module sessions, which apply it at once: a revocation normally
 * reaches every replica before the request that caused it has been answered, the refresh is the bound.
 */
export class CredentialCopy extends CredentialVersions implements OnApplicationShutdown {
  private readonly logger = new Logger('CredentialCopy');
  private readonly states = new Map<string, CredentialState>();
  /** The oldest transaction that was still running at the last read (xid8, as text). */
  private horizon = '0';
  private timer: NodeJS.Timeout | undefined;
  private readonly table: string;

  private readonly channel: string;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly refreshMs: number,
    private readonly session?: ModuleSession,
  ) {
    super();
    this.table = `"${schema}"."credential_versions"`;
    this.channel = `mm_credentials_${schema}`;
  }

  /** Loads the table and starts following it. */
  async start(): Promise<void> {
    if (this.session) {
      this.session.listen(this.channel, (payload) => this.heard(payload));
      await this.session
        .connect()
        .catch((err: unknown) => this.logger.warn({ err }, 'Could not listen for credential changes; following the table only'));
    }
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.logger.warn({ err }, 'Could not refresh the credential copy; will try again'));
    }, this.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  assertCurrent(identity: UserIdentity): void {
    const state = this.states.get(identity.userId);
    if (!state || state.version < identity.version) return;
    if (state.version > identity.version || !state.active || state.role !== identity.role) {
      throw unauthenticated('The token is no longer valid');
    }
  }

  /** Records a change inside the consumer's transaction; memory follows once it has committed. */
  async apply(manager: EntityManager, change: CredentialState, afterCommit: AfterCommit): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.table} (user_id, version, role, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version, role = EXCLUDED.role, active = EXCLUDED.active,
         changed_xid = pg_current_xact_id()
       WHERE ${this.table}.version <= EXCLUDED.version`,
      [change.userId, change.version, change.role, change.active],
    );
    if (this.session) {
      const { userId, version, role, active } = change;
      await manager.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify({ userId, version, role, active })]);
    }
    afterCommit(() => this.remember(change));
  }

  /** A change another replica applied and announced. */
  private heard(payload: string): void {
    try {
      const { userId, version, role, active } = JSON.parse(payload) as CredentialState;
      if (typeof userId === 'string' && Number.isInteger(version) && typeof role === 'string' && typeof active === 'boolean') {
        this.remember({ userId, version, role, active });
      }
    } catch {
      // Not an announcement of ours: the next refresh reads the table anyway.
    }
  }

  private remember(change: CredentialState): void {
    const known = this.states.get(change.userId);
    if (!known || known.version <= change.version) this.states.set(change.userId, { ...change });
  }

  private async refresh(): Promise<void> {
    // One statement, one snapshot: the rows it sees and the horizon it reports belong together.
    const rows: Array<{ horizon: string; user_id: string | null; version: number; role: string; active: boolean }> =
      await this.dataSource.query(
        `SELECT h.horizon, c.user_id, c.version, c.role, c.active
       FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon) h
       LEFT JOIN ${this.table} c ON c.changed_xid >= $1::xid8`,
        [this.horizon],
      );
    for (const row of rows) {
      if (row.user_id !== null) this.remember({ userId: row.user_id, version: row.version, role: row.role, active: row.active });
    }
    this.horizon = rows[0].horizon;
  }
}
