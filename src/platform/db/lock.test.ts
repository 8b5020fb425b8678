import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { acquireDataDirLock, DataDirLockedError, HEARTBEAT_STALE_MS, lockFileOf, lockOwner } from './lock.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-lock-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const writeLock = (dir: string, owner: object, mtime?: Date) => {
  fs.writeFileSync(lockFileOf(dir), JSON.stringify(owner));
  if (mtime) fs.utimesSync(lockFileOf(dir), mtime, mtime);
};

test('the lock file holds our pid and goes away on release', () => {
  const dir = tempDir();
  const lock = acquireDataDirLock(dir, 'migrate');
  const owner = JSON.parse(fs.readFileSync(lock.file, 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.command, 'migrate');
  assert.equal((fs.statSync(lock.file).mode & 0o777).toString(8), '600');
  lock.release();
  assert.equal(fs.existsSync(lock.file), false);
  lock.release();
});

test('a live process holding the folder is named in the refusal; once it is gone the lock is taken over', async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  writeLock(dir, { pid: child.pid, host: os.hostname(), command: 'start', startedAt: new Date().toISOString() });
  assert.throws(
    () => acquireDataDirLock(dir, 'migrate'),
    (e: unknown) => e instanceof DataDirLockedError && e.message.includes(`pid ${child.pid}`) && e.message.includes('Zhengtong server'),
  );
  assert.equal(lockOwner(dir)?.pid, child.pid);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const lock = acquireDataDirLock(dir, 'migrate');
  assert.equal(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid, process.pid);
  lock.release();
});

test('a reused pid does not keep a stale lock: the process started after the lock was taken', { skip: !fs.existsSync('/proc/1/stat') }, () => {
  const dir = tempDir();
  // pid 1 is alive, but it started after this (year-old) lock was taken: the pid was reused.
  writeLock(dir, { pid: 1, host: os.hostname(), command: 'start', startedAt: new Date(Date.now() - 365 * 86400_000).toISOString() });
  acquireDataDirLock(dir, 'seed').release();
});

test('a lock with our own pid (a restarted container) or garbage is stale', () => {
  const dir = tempDir();
  writeLock(dir, { pid: process.pid, host: os.hostname(), command: 'start', startedAt: new Date().toISOString() });
  acquireDataDirLock(dir, 'start').release();
  fs.writeFileSync(lockFileOf(dir), 'not json');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockFileOf(dir), old, old);
  acquireDataDirLock(dir, 'start').release();
});

test('a lock from another host is live while refreshed, stale a minute after', () => {
  const dir = tempDir();
  writeLock(dir, { pid: 4242, host: 'elsewhere', command: 'start', startedAt: new Date().toISOString() });
  assert.throws(() => acquireDataDirLock(dir, 'migrate'), (e: unknown) => e instanceof DataDirLockedError && /another host/.test(e.message));
  writeLock(dir, { pid: 4242, host: 'elsewhere', command: 'start', startedAt: new Date().toISOString() }, new Date(Date.now() - HEARTBEAT_STALE_MS - 1000));
  acquireDataDirLock(dir, 'migrate').release();
});

test('release never removes a lock someone else took over', () => {
  const dir = tempDir();
  const lock = acquireDataDirLock(dir, 'start');
  writeLock(dir, { pid: 999999, host: 'elsewhere', command: 'start', startedAt: new Date().toISOString() });
  lock.release();
  assert.equal(fs.existsSync(lockFileOf(dir)), true);
});
