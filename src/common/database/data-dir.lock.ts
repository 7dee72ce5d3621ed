import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds an embedded data directory: written to `<directory>.lock` while it is open. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/**
 * The embedded database is one PostgreSQL data directory driven from inside one process; a second
 * process opening it at the same time (a second app, an operator command) would corrupt it, and PGlite
 * itself does not stop that. So the process that opens it holds `<directory>.lock` until it closes it.
 */
export class EmbeddedDatabaseInUse extends Error {
  constructor(
    readonly directory: string,
    readonly lockFile: string,
    holder: Holder,
  ) {
    super(
      `The embedded database in ${directory} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}); ` +
        `stop that process first. If no such process runs any more, delete ${lockFile}.`,
    );
    this.name = 'EmbeddedDatabaseInUse';
  }
}

const held = new Set<string>();

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder may still run. A process on another host (another container sharing the volume)
 * cannot be asked, so it counts as running; on this host its pid tells, and a lock naming this very
 * pid was left by an earlier run in the same pid namespace (a container restarted), so it is stale.
 */
function mayRun(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of an embedded data directory for this process, or throws EmbeddedDatabaseInUse. */
export function lockDataDirectory(directory: string): void {
  const file = `${directory}.lock`;
  if (held.has(file)) return;
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      held.add(file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    // An unreadable lock is one being written right now: give its writer the benefit of the doubt.
    if (!holder) throw new EmbeddedDatabaseInUse(directory, file, { pid: NaN, host: 'unknown', since: 'unknown' });
    if (mayRun(holder)) throw new EmbeddedDatabaseInUse(directory, file, holder);
    rmSync(file, { force: true });
  }
  throw new EmbeddedDatabaseInUse(directory, file, readHolder(file) ?? { pid: NaN, host: 'unknown', since: 'unknown' });
}

export function unlockDataDirectory(directory: string): void {
  const file = `${directory}.lock`;
  if (held.delete(file)) rmSync(file, { force: true });
}

// A process that exits without closing its database (process.exit after a failed start) lets go too.
process.once('exit', () => held.forEach((file) => rmSync(file, { force: true })));
