import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDatabaseInUse, lockDataDirectory, unlockDataDirectory } from './data-dir.lock.js';

describe('embedded data directory lock', () => {
  let dir: string;
  let directory: string;
  const lockFile = () => `${directory}.lock`;
  const holder = (pid: number, host = hostname()) =>
    writeFileSync(lockFile(), JSON.stringify({ pid, host, since: '2026-01-01T00:00:00.000Z' }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mm-lock-'));
    directory = join(dir, 'pglite');
  });

  afterEach(() => {
    unlockDataDirectory(directory);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is held by this process until released', () => {
    lockDataDirectory(directory);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lockDataDirectory(directory);
    unlockDataDirectory(directory);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses while a process that holds it runs, here or on another host', () => {
    holder(process.ppid);
    expect(() => lockDataDirectory(directory)).toThrow(EmbeddedDatabaseInUse);
    expect(() => lockDataDirectory(directory)).toThrow(
      `is in use by process ${process.ppid} on ${hostname()} (since 2026-01-01T00:00:00.000Z); stop that process first. If no such ` +
        `process runs any more, delete ${lockFile()}.`,
    );
    holder(1, 'another-host');
    expect(() => lockDataDirectory(directory)).toThrow('is in use by process 1 on another-host');
    // Not released by someone who does not hold it.
    unlockDataDirectory(directory);
    expect(existsSync(lockFile())).toBe(true);
  });

  it('takes over a lock left by a process that is gone, or by an earlier run under this same pid', () => {
    holder(2 ** 22 + 12_345);
    lockDataDirectory(directory);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
    unlockDataDirectory(directory);
    holder(process.pid);
    lockDataDirectory(directory);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).since).not.toBe('2026-01-01T00:00:00.000Z');
  });
});
