import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The embedded database is one process's at a time (PGlite is not multi-process safe: even
 * opening a folder may replay and write its log). Whoever opens it holds `<dataDir>/zt.lock`,
 * created with O_EXCL, holding the owner's pid, host, command and start time. A lock whose
 * process is gone (crash, kill -9) is stale and is taken over.
 */
export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    const what = owner.command === 'start' ? 'a Zhengtong server' : `the command "zt ${owner.command}"`;
    const elsewhere = owner.host !== os.hostname() ? ' (a lock from another host is taken over a minute after its holder stops refreshing it)' : '';
    super(
      `The data folder ${dataDir} is in use by ${what} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})${elsewhere}. ` +
        'The embedded database allows one process at a time: stop that process first.',
    );
  }
}

export interface DataDirLock {
  file: string;
  release(): void;
}

export const lockFileOf = (dataDir: string) => path.join(dataDir, 'zt.lock');

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: when a process started (ms since the epoch), to tell a reused pid from the lock's owner. */
function processStartMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux platform Node runs on.
    return Number.isFinite(ticks) && Number.isFinite(bootTime) ? (bootTime + ticks / 100) * 1000 : null;
  } catch {
    return null;
  }
}

/** The holder touches its lock this often; a lock from another host untouched for HEARTBEAT_STALE_MS is stale. */
export const HEARTBEAT_MS = 15_000;
export const HEARTBEAT_STALE_MS = 60_000;

/**
 * Whether the lock's owner still runs. On this host: its pid is alive, is not ours (after a
 * container restart the new server may get the old one's pid) and did not start after the lock
 * was taken (a reused pid). From another host (a shared folder, a re-created container) the pid
 * means nothing: the lock is live while its holder keeps touching it.
 */
function isLive(owner: LockOwner | null, file: string): boolean {
  if (!owner) return false;
  if (owner.host !== os.hostname()) {
    const touched = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    return Date.now() - touched < HEARTBEAT_STALE_MS;
  }
  if (owner.pid === process.pid || !isAlive(owner.pid)) return false;
  const started = processStartMs(owner.pid);
  const locked = Date.parse(owner.startedAt);
  return started === null || Number.isNaN(locked) || started <= locked + 2000;
}

/** The live owner of the folder's lock, if any (for messages and tests). */
export function lockOwner(dataDir: string): LockOwner | null {
  const file = lockFileOf(dataDir);
  const owner = readOwner(file);
  return isLive(owner, file) ? owner : null;
}

/** Set by a lock holder for a child process that does part of its work on the folder. */
export const LOCK_HOLDER_ENV = 'ZT_DATA_DIR_LOCK_HOLDER';

/** Takes the data folder for this process, or throws DataDirLockedError naming the live owner. */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockFileOf(dataDir);
  // A child of the holder, started by it for part of its work (a first start), shares its lock;
  // the variable alone is not enough: the lock must really be the parent's.
  if (process.env[LOCK_HOLDER_ENV] === String(process.ppid) && readOwner(file)?.pid === process.ppid) {
    return { file, release: () => undefined };
  }
  const me: LockOwner = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(me));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      let released = false;
      const heartbeat = setInterval(() => {
        const now = new Date();
        fs.utimes(file, now, now, () => undefined);
      }, HEARTBEAT_MS).unref();
      const release = () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        // Only remove our own lock: never one a successor took over.
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.startedAt === me.startedAt) fs.rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    if (owner && isLive(owner, file)) throw new DataDirLockedError(dataDir, owner);
    if (!owner) {
      // Being written right now by another process, or an empty leftover: look again shortly.
      const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < 2000) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
    }
    // Stale: its process is gone. Move it aside atomically so only one contender removes it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
      const moved = readOwner(aside);
      if (moved && owner && (moved.pid !== owner.pid || moved.startedAt !== owner.startedAt)) {
        // A contender replaced the stale lock in between: put its fresh lock back (link never overwrites).
        fs.linkSync(aside, file);
      }
      fs.rmSync(aside, { force: true });
    } catch {
      /* someone else cleared it first; try again */
    }
  }
  const owner = readOwner(file);
  if (owner) throw new DataDirLockedError(dataDir, owner);
  throw new Error(`Could not take the lock ${file}`);
}
