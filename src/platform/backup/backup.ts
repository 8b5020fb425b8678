import { auditKeysOf } from '../audit/keys.ts';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import type { Kysely } from 'kysely';
import { sql } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { countRows, describeTables, listSequences, tableExists } from './schema.ts';
import {
  appVersion,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  fieldKeyFingerprint,
  listFiles,
  sm3File,
  type BackupManifest,
  type FileEntry,
  type TableEntry,
} from './manifest.ts';

const FETCH_ROWS = 2000;

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: BackupManifest;
}

/**
 * Writes a consistent snapshot of the installation to `file` (tar.gz):
 * every table read in one read-only snapshot transaction as JSON lines, the files folder,
 * the keys folder and a manifest with counts and SM3 digests. Works on both databases.
 * The archive holds the field-encryption key: keep it as secret as the data itself.
 */
export async function createBackup(platform: Pick<Platform, 'config' | 'db' | 'dbKind' | 'fieldKey'>, file: string): Promise<BackupResult> {
  const target = path.resolve(file);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const staging = await fsp.mkdtemp(path.join(path.dirname(target), '.zt-backup-'));
  try {
    await fsp.mkdir(path.join(staging, 'tables'));
    const snapshot = await platform.db.connection().execute((conn) => dumpDatabase(conn, platform.dbKind, staging));

    const filesRoot = path.join(platform.config.dataDir, 'files');
    const keysRoot = path.join(platform.config.dataDir, 'keys');
    // Files are content-addressed and written before the rows that name them commit, so every
    // file the snapshot refers to is already on disk; 'tmp' holds unfinished uploads only.
    const files = await describeFiles(filesRoot, 'files', ['tmp']);
    const keys = await describeFiles(keysRoot, 'keys');

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      appVersion: appVersion(),
      createdAt: new Date().toISOString(),
      ...snapshot,
      files,
      keys,
      fieldKeyFingerprint: fieldKeyFingerprint(platform.fieldKey),
      auditKeyFingerprint: auditKeysOf(platform.db)?.fingerprint,
    };
    await fsp.writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 1));
    if (files.length) await fsp.symlink(filesRoot, path.join(staging, 'files'));
    if (keys.length) await fsp.symlink(keysRoot, path.join(staging, 'keys'));

    const partial = `${target}.partial-${process.pid}`;
    await tar.c({ gzip: true, file: partial, cwd: staging, follow: true, portable: true }, [
      'manifest.json',
      ...manifest.tables.map((t) => t.part),
      ...files.map((f) => f.path),
      ...keys.map((k) => k.path),
    ]);
    await fsp.chmod(partial, 0o600);
    await fsp.rename(partial, target);
    return { file: target, bytes: (await fsp.stat(target)).size, manifest };
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

async function describeFiles(root: string, prefix: string, skipTop: string[] = []): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const rel of await listFiles(root, skipTop)) {
    const { sm3, size } = await sm3File(path.join(root, rel));
    out.push({ path: `${prefix}/${rel}`, size, sm3 });
  }
  return out;
}

type Snapshot = Pick<BackupManifest, 'database' | 'migrations' | 'tables' | 'sequences' | 'audit'>;

async function dumpDatabase(conn: Kysely<any>, kind: 'pglite' | 'postgres', staging: string): Promise<Snapshot> {
  // On a server: a serializable, read-only, deferrable snapshot never sees a half-done change
  // and never blocks or aborts writers. The embedded database has one connection anyway.
  const begin = kind === 'postgres' ? 'begin isolation level serializable, read only, deferrable' : 'begin isolation level repeatable read, read only';
  await sql.raw(begin).execute(conn);
  try {
    const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(conn);
    const tables = await describeTables(conn);
    const entries: TableEntry[] = [];
    for (const table of tables) entries.push(await dumpTable(conn, table.name, table.columns, table.primaryKey, staging));

    const sequences = [];
    for (const name of await listSequences(conn)) {
      const row = await sql<{ last_value: string; is_called: boolean }>`select last_value::text as last_value, is_called from ${sql.id(name)}`.execute(conn);
      sequences.push({ name, lastValue: row.rows[0].last_value, isCalled: row.rows[0].is_called });
    }
    const migrations = (await tableExists(conn, 'zt_migration'))
      ? (await sql<{ name: string }>`select name from zt_migration order by name`.execute(conn)).rows.map((r) => r.name)
      : [];
    let audit: Snapshot['audit'] = { records: 0, lastId: null, lastHash: null };
    if (await tableExists(conn, 'audit_log')) {
      const last = await sql<{ id: number; hash: string }>`select id, hash from audit_log order by id desc limit 1`.execute(conn);
      audit = { records: await countRows(conn, 'audit_log'), lastId: last.rows[0] ? Number(last.rows[0].id) : null, lastHash: last.rows[0]?.hash ?? null };
    }
    await sql`commit`.execute(conn);
    return { database: { kind, serverVersion: version.rows[0].v }, migrations, tables: entries, sequences, audit };
  } catch (error) {
    await sql`rollback`.execute(conn).catch(() => undefined);
    throw error;
  }
}

async function dumpTable(conn: Kysely<any>, name: string, columns: string[], primaryKey: string[], staging: string): Promise<TableEntry> {
  const part = `tables/${name}.jsonl`;
  const handle = await fsp.open(path.join(staging, part), 'w', 0o600);
  const hash = crypto.createHash('sm3');
  let rows = 0;
  let bytes = 0;
  try {
    const order = primaryKey.length ? sql` order by ${sql.join(primaryKey.map((c) => sql.ref(`t.${c}`)))}` : sql``;
    await sql`declare zt_backup_rows no scroll cursor for select row_to_json(t)::text as j from ${sql.id(name)} t${order}`.execute(conn);
    for (;;) {
      const batch = await sql<{ j: string }>`fetch forward ${sql.raw(String(FETCH_ROWS))} from zt_backup_rows`.execute(conn);
      if (batch.rows.length === 0) break;
      const chunk = Buffer.from(batch.rows.map((r) => `${r.j}\n`).join(''), 'utf8');
      hash.update(chunk);
      await handle.write(chunk);
      rows += batch.rows.length;
      bytes += chunk.length;
      if (batch.rows.length < FETCH_ROWS) break;
    }
    await sql`close zt_backup_rows`.execute(conn);
  } finally {
    await handle.close();
  }
  return { name, rows, columns, part, bytes, sm3: hash.digest('hex') };
}
