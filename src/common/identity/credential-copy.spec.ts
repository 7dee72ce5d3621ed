import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { openEventTablesDatabase } from '../../../test/support/unit-helpers.js';
import { closeEmbeddedDatabases } from '../database/pglite.pool.js';
import { DomainError } from '../errors/domain-error.js';
import { CredentialCopy, type CredentialState } from './credential-copy.js';
import type { UserIdentity } from './identity.js';

const ADA = '0b5f0b5e-4f6e-4a86-9a39-6a4e8f9d1c2b';
const BOB = '1c6a1c6f-5a7f-4b97-8b4a-7b5f9a0e2d3c';
const REFRESH_MS = 50;

const token = (userId: string, version: number, role = 'user'): UserIdentity => ({ kind: 'user', userId, role, version });
const state = (userId: string, version: number, changes: Partial<CredentialState> = {}): CredentialState => ({
  userId,
  version,
  role: 'user',
  active: true,
  ...changes,
});

/** The error assertCurrent throws, or undefined when the token is accepted. */
function refusal(copy: CredentialCopy, identity: UserIdentity): object | undefined {
  try {
    copy.assertCurrent(identity);
    return undefined;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return err.toBody();
  }
}
const STALE = { code: 'AUTH.UNAUTHENTICATED', status: 401, message: 'The token is no longer valid' };

describe('CredentialCopy', () => {
  let ds: DataSource;
  const copies: CredentialCopy[] = [];

  beforeAll(async () => {
    ds = await openEventTablesDatabase('probe');
  });

  afterAll(async () => {
    await ds.destroy();
    await closeEmbeddedDatabases();
  });

  beforeEach(async () => {
    await ds.query('TRUNCATE "probe"."credential_versions"');
  });

  afterEach(() => {
    copies.splice(0).forEach((c) => c.onApplicationShutdown());
  });

  async function started(): Promise<CredentialCopy> {
    const copy = new CredentialCopy(ds, 'probe', REFRESH_MS);
    copies.push(copy);
    await copy.start();
    return copy;
  }

  /** Applies a change as an event handler would: inside a transaction, memory following after the commit. */
  async function apply(copy: CredentialCopy, change: CredentialState, fail = false): Promise<void> {
    const after: Array<() => void> = [];
    await ds.transaction(async (manager) => {
      await copy.apply(manager, change, (action) => after.push(action));
      if (fail) throw new Error('the event handler failed');
    });
    after.forEach((action) => action());
  }

  const rows = () => ds.query('SELECT user_id, version, role, active FROM "probe"."credential_versions" ORDER BY user_id');

  it('accepts a token of an account it has not heard of, on the strength of its signature', async () => {
    const copy = await started();
    expect(refusal(copy, token(ADA, 1))).toBeUndefined();
  });

  it('refuses a token issued under an older version, and accepts the current one', async () => {
    const copy = await started();
    await apply(copy, state(ADA, 2));
    expect(refusal(copy, token(ADA, 1))).toEqual(STALE);
    expect(refusal(copy, token(ADA, 2))).toBeUndefined();
    expect(refusal(copy, token(BOB, 1))).toBeUndefined();
  });

  it('accepts a newer token while the copy is behind (the change has not arrived yet)', async () => {
    const copy = await started();
    await apply(copy, state(ADA, 1));
    expect(refusal(copy, token(ADA, 2))).toBeUndefined();
    expect(refusal(copy, token(ADA, 3, 'admin'))).toBeUndefined();
  });

  it('refuses every token of an account that is gone', async () => {
    const copy = await started();
    await apply(copy, state(ADA, 1, { active: false }));
    expect(refusal(copy, token(ADA, 1))).toEqual(STALE);
    expect(refusal(copy, token(BOB, 1))).toBeUndefined();
  });

  it('refuses a token whose role is no longer the account role at the same version', async () => {
    const copy = await started();
    await apply(copy, state(ADA, 1, { role: 'user' }));
    expect(refusal(copy, token(ADA, 1, 'admin'))).toEqual(STALE);
    expect(refusal(copy, token(ADA, 1, 'user'))).toBeUndefined();
  });

  it('keeps the newest version when changes arrive out of order, in the table and in memory', async () => {
    const copy = await started();
    await apply(copy, state(ADA, 3));
    await apply(copy, state(ADA, 2, { active: false }));
    expect(refusal(copy, token(ADA, 3))).toBeUndefined();
    expect(await rows()).toEqual([{ user_id: ADA, version: 3, role: 'user', active: true }]);
    // A change at the same version still applies (deletion is announced at a version of its own, but may repeat).
    await apply(copy, state(ADA, 3, { active: false }));
    expect(refusal(copy, token(ADA, 3))).toEqual(STALE);
  });

  it('changes neither table nor memory when the transaction that carried the change rolls back', async () => {
    const copy = await started();
    await expect(apply(copy, state(ADA, 2), true)).rejects.toThrow('the event handler failed');
    expect(await rows()).toEqual([]);
    expect(refusal(copy, token(ADA, 1))).toBeUndefined();
  });

  it('loads what is already in the table when it starts', async () => {
    await apply(await started(), state(ADA, 2));
    const later = await started();
    expect(refusal(later, token(ADA, 1))).toEqual(STALE);
  });

  it('lets a second instance (another replica) see changes within the refresh interval', async () => {
    const [one, two] = [await started(), await started()];
    /** Waits, up to 20 refresh intervals, until `two` refuses the token; answers what it does then. */
    async function refusedByTwo(identity: UserIdentity): Promise<object | undefined> {
      const deadline = Date.now() + 20 * REFRESH_MS;
      while (refusal(two, identity) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return refusal(two, identity);
    }
    // `two` shares only the table with `one`: what it learns, it learns by refreshing.
    await apply(one, state(ADA, 2));
    await apply(one, state(BOB, 1, { active: false }));
    expect(await refusedByTwo(token(ADA, 1))).toEqual(STALE);
    expect(refusal(two, token(BOB, 1))).toEqual(STALE);
    // And it keeps following later changes, not only the first ones it saw.
    await apply(one, state(ADA, 3));
    expect(await refusedByTwo(token(ADA, 2))).toEqual(STALE);
    expect(refusal(two, token(ADA, 3))).toBeUndefined();
  });
});
