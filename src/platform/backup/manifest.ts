import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const BACKUP_FORMAT = 'zhengtong-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface FileEntry {
  /** Path inside the archive, '/'-separated: 'files/ab/cd/abcd…' or 'keys/field.key'. */
  path: string;
  size: number;
  sm3: string;
}

export interface TableEntry {
  name: string;
  rows: number;
  columns: string[];
  /** 'tables/<name>.jsonl': one row_to_json() per line. */
  part: string;
  bytes: number;
  sm3: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  appVersion: string;
  createdAt: string;
  database: { kind: 'pglite' | 'postgres'; serverVersion: string };
  /** Migrations applied when the snapshot was taken, in order. */
  migrations: string[];
  tables: TableEntry[];
  sequences: Array<{ name: string; lastValue: string; isCalled: boolean }>;
  files: FileEntry[];
  keys: FileEntry[];
  /** SM3 of the field-encryption key (not the key): tells whether a target can read the sealed data. */
  fieldKeyFingerprint: string;
  /** SM3 of the audit key (not the key): the key the audit chain and its checkpoints were written with. Absent in older archives. */
  auditKeyFingerprint?: string;
  audit: { records: number; lastId: number | null; lastHash: string | null };
}

export class BackupError extends Error {}

export const appVersion = (): string => {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
};

export async function sm3File(file: string): Promise<{ sm3: string; size: number }> {
  const hash = crypto.createHash('sm3');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sm3: hash.digest('hex'), size };
}

/** Regular files below `root` (relative, '/'-separated), skipping the named top-level folders. */
export async function listFiles(root: string, skipTop: string[] = []): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string) {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && skipTop.includes(entry.name)) continue;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relPath);
      else if (entry.isFile()) out.push(relPath);
    }
  }
  await walk(root, '');
  return out;
}

export const fieldKeyFingerprint = (key: Uint8Array) => crypto.createHash('sm3').update('zt-field-key:').update(key).digest('hex');

/** Checks the shape of a manifest read from an archive; throws BackupError naming what is wrong. */
export function checkManifest(value: unknown): BackupManifest {
  const m = value as Partial<BackupManifest> | null;
  if (!m || m.format !== BACKUP_FORMAT) throw new BackupError('not a Zhengtong backup (manifest.json has no "format": "zhengtong-backup")');
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) throw new BackupError(`backup format version ${m.formatVersion} is not supported by this version (${BACKUP_FORMAT_VERSION})`);
  const arrays: Array<keyof BackupManifest> = ['migrations', 'tables', 'sequences', 'files', 'keys'];
  for (const key of arrays) if (!Array.isArray(m[key])) throw new BackupError(`manifest.json: "${key}" is missing`);
  if (typeof m.fieldKeyFingerprint !== 'string' || !m.audit || !m.database) throw new BackupError('manifest.json is incomplete');
  const safe = /^(tables\/[A-Za-z0-9_]+\.jsonl|files\/[A-Za-z0-9._/-]+|keys\/[A-Za-z0-9._-]+)$/;
  for (const part of [...m.tables!.map((t) => t.part), ...m.files!.map((f) => f.path), ...m.keys!.map((k) => k.path)]) {
    if (typeof part !== 'string' || !safe.test(part) || part.split('/').includes('..')) throw new BackupError(`manifest.json names an unexpected part "${String(part)}"`);
  }
  return m as BackupManifest;
}
