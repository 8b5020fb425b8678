import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import * as tar from 'tar';
import type { Migration } from 'kysely';
import type { Config } from '../../config/index.ts';
import { sql, type Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { recordAudit, verifyChain, type VerifyResult } from '../audit/service.ts';
import { AUDIT_KEY_FILE, auditKeyFingerprint, auditKeysFor, loadAuditKey, registerAuditKeys, type AuditKeys } from '../audit/keys.ts';
import { inTransaction, SYSTEM_ACTOR, type Actor } from '../db/work.ts';
import { countRows, describeTables, listForeignKeys, tableExists } from './schema.ts';
import { BackupError, checkManifest, fieldKeyFingerprint, sm3File, type BackupManifest } from './manifest.ts';

const INSERT_ROWS = 1000;
const INSERT_BYTES = 4 * 1024 * 1024;
/** Kept by the migrator of the target itself. */
const MIGRATION_LOCK_TABLE = 'zt_migration_lock';

export interface RestoreReport {
  backupCreatedAt: string;
  backupAppVersion: string;
  sourceDatabase: string;
  tables: number;
  rows: number;
  files: number;
  keyRestored: boolean;
  migrationsAppliedAfter: string[];
  audit: VerifyResult;
}

export interface RestoreTarget {
  config: Config;
  db: Db;
  /** Every migration this version knows. */
  migrations: Record<string, Migration>;
  /** Who restores, for the audit record that closes the restore. */
  actor?: Actor;
}

/**
 * Restores an archive made by createBackup into an empty installation (no accounts, no audit
 * records): checks every part's SM3 first, migrates the target to the backup's schema, loads
 * every row with its ids in one transaction, sets the sequences, puts files and keys in place,
 * applies the newer migrations of this version, and verifies the audit chain and the counts.
 */
export async function restoreBackup(target: RestoreTarget, file: string): Promise<RestoreReport> {
  const staged = await stageBackup(target.config, file);
  try {
    return await restoreStaged(target, staged);
  } finally {
    await staged.dispose();
  }
}

export interface StagedBackup {
  manifest: BackupManifest;
  staging: string;
  /** The field key to install from the archive; null when the target's own key (ZT_FIELD_KEY or file) is the right one. */
  fieldKey: Buffer | null;
  /** The audit key the backup's chain was written with; null for an archive older than keyed chains (the target's own key then). */
  auditKey: Buffer | null;
  dispose(): Promise<void>;
}

/**
 * Unpacks and checks an archive without touching the database: every part against its SM3
 * digest and row count, and the field key against the target's. Unpacked inside the data folder,
 * so that files are then moved into place, not copied.
 */
export async function stageBackup(config: Config, file: string): Promise<StagedBackup> {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`);
  await fsp.mkdir(config.dataDir, { recursive: true });
  const staging = await fsp.mkdtemp(path.join(config.dataDir, '.zt-restore-'));
  const dispose = () => fsp.rm(staging, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  try {
    await extract(file, staging);
    const manifest = await readManifest(staging);
    await verifyParts(staging, manifest);
    const fieldKey = await checkFieldKey(config, staging, manifest);
    const auditKey = await checkAuditKey(config, staging, manifest);
    return { manifest, staging, fieldKey, auditKey, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Loads a staged archive into an empty database: see restoreBackup. */
export async function restoreStaged(target: RestoreTarget, staged: StagedBackup): Promise<RestoreReport> {
  const { config, db } = target;
  const { manifest, staging } = staged;
  await refuseUnlessEmpty(db);
  const backupMigrations = checkMigrations(manifest, target.migrations);
  await refuseIfAhead(db, manifest.migrations);
  await migrateToLatest(db, Object.fromEntries(backupMigrations.map((name) => [name, target.migrations[name]])));
  await checkSchema(db, manifest);

  const files = await placeFiles(staging, config.dataDir, manifest, staged.fieldKey);
  // The restored chain verifies with its own key, and goes on with it (keys/audit.key was put in place with the other keys).
  const auditKeys = auditKeysFor(staged.auditKey ?? loadAuditKey(config));
  registerAuditKeys(db, auditKeys);
  const { rows, audit } = await loadRows(db, staging, manifest, auditKeys);
  const applied = await migrateToLatest(db, target.migrations);
  // The restored chain continues with a record of the restore itself.
  await inTransaction(db, target.actor ?? SYSTEM_ACTOR, async (work) =>
    recordAudit(work, {
      action: 'system.restore',
      objectType: 'backup',
      details: { backupCreatedAt: manifest.createdAt, backupAppVersion: manifest.appVersion, rows, files, migrationsApplied: applied },
    }),
  );
  return {
    backupCreatedAt: manifest.createdAt,
    backupAppVersion: manifest.appVersion,
    sourceDatabase: `${manifest.database.kind} ${manifest.database.serverVersion}`,
    tables: manifest.tables.length,
    rows,
    files,
    keyRestored: staged.fieldKey !== null,
    migrationsAppliedAfter: applied,
    audit,
  };
}

const PART = /^(manifest\.json|tables\/[A-Za-z0-9_]+\.jsonl|files\/[A-Za-z0-9._/-]+|keys\/[A-Za-z0-9._-]+)$/;

async function extract(file: string, staging: string) {
  try {
    // A first pass reads the whole archive (gzip checksum, tar structure) without writing, so a
    // damaged archive is refused before anything lands on disk.
    await tar.t({ file, strict: true });
    await tar.x({
      file,
      cwd: staging,
      strict: true,
      // Only plain files and folders with expected names: nothing can land outside the staging folder.
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : entry.isDirectory() ? 'Directory' : 'File';
        const clean = entryPath.replace(/\/$/, '');
        if (type === 'Directory') return /^(tables|files|keys)(\/[A-Za-z0-9._-]+)*$/.test(clean) && !clean.split('/').includes('..');
        return (type === 'File' || type === 'OldFile') && PART.test(clean) && !clean.split('/').includes('..');
      },
    });
  } catch (error) {
    throw new BackupError(`the archive is damaged or is not a Zhengtong backup (${(error as Error).message})`);
  }
}

async function readManifest(staging: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(staging, 'manifest.json'), 'utf8');
  } catch {
    throw new BackupError('the archive has no manifest.json: it is not a Zhengtong backup');
  }
  try {
    return checkManifest(JSON.parse(text));
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('manifest.json is damaged');
  }
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of fs.createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return lines;
}

async function verifyParts(staging: string, manifest: BackupManifest) {
  const check = async (part: string, sm3: string, size: number) => {
    const full = path.join(staging, part);
    if (!fs.existsSync(full)) throw new BackupError(`the archive lacks ${part}`);
    const actual = await sm3File(full);
    if (actual.sm3 !== sm3 || actual.size !== size) throw new BackupError(`${part} does not match its SM3 digest in the manifest: the archive is damaged`);
  };
  for (const table of manifest.tables) {
    await check(table.part, table.sm3, table.bytes);
    const lines = await countLines(path.join(staging, table.part));
    if (lines !== table.rows) throw new BackupError(`${table.part} has ${lines} rows, the manifest says ${table.rows}`);
  }
  for (const entry of [...manifest.files, ...manifest.keys]) await check(entry.path, entry.sm3, entry.size);
}

/** The key the backup's personal data is sealed with must be the key the target will use. */
async function checkFieldKey(config: Config, staging: string, manifest: BackupManifest): Promise<Buffer | null> {
  const keyPart = manifest.keys.find((k) => k.path === 'keys/field.key');
  const fromBackup = keyPart ? Buffer.from((await fsp.readFile(path.join(staging, keyPart.path), 'utf8')).trim(), 'hex') : null;
  if (fromBackup && fieldKeyFingerprint(fromBackup) !== manifest.fieldKeyFingerprint) {
    // The source ran with ZT_FIELD_KEY; its keys folder holds a key nothing was sealed with.
    if (!config.fieldKeyHex) throw new BackupError('the backup was made with ZT_FIELD_KEY set: set ZT_FIELD_KEY to the same key for the restore');
  }
  if (config.fieldKeyHex) {
    if (fieldKeyFingerprint(Buffer.from(config.fieldKeyHex, 'hex')) !== manifest.fieldKeyFingerprint) {
      throw new BackupError('ZT_FIELD_KEY is not the key the backup\'s personal data is sealed with');
    }
    return null;
  }
  if (fromBackup) return fromBackup;
  const existing = path.join(config.dataDir, 'keys', 'field.key');
  if (fs.existsSync(existing) && fieldKeyFingerprint(Buffer.from(fs.readFileSync(existing, 'utf8').trim(), 'hex')) === manifest.fieldKeyFingerprint) return null;
  throw new BackupError('the backup holds no field key (the source used ZT_FIELD_KEY): set ZT_FIELD_KEY to that key for the restore');
}

/**
 * The audit key the backup's chain was written with must be the target's: ZT_AUDIT_KEY when set,
 * else the archive's keys/audit.key (put in place by the restore).
 */
async function checkAuditKey(config: Config, staging: string, manifest: BackupManifest): Promise<Buffer | null> {
  const expected = manifest.auditKeyFingerprint;
  const keyPart = manifest.keys.find((k) => k.path === AUDIT_KEY_FILE.split(path.sep).join('/'));
  const fromBackup = keyPart ? Buffer.from((await fsp.readFile(path.join(staging, keyPart.path), 'utf8')).trim(), 'hex') : null;
  if (config.auditKeyHex) {
    const key = Buffer.from(config.auditKeyHex, 'hex');
    if (expected && auditKeyFingerprint(key) !== expected) throw new BackupError('ZT_AUDIT_KEY is not the key the backup\'s audit chain was written with');
    return key;
  }
  if (!expected) return null;
  if (fromBackup && auditKeyFingerprint(fromBackup) === expected) return fromBackup;
  throw new BackupError('the backup holds no audit key (the source used ZT_AUDIT_KEY): set ZT_AUDIT_KEY to that key for the restore');
}

async function refuseUnlessEmpty(db: Db) {
  const users = (await tableExists(db, 'users')) ? await countRows(db, 'users') : 0;
  const audit = (await tableExists(db, 'audit_log')) ? await countRows(db, 'audit_log') : 0;
  if (users || audit) {
    throw new BackupError(`the target installation is not empty (${users} accounts, ${audit} audit records): restore only into a new installation`);
  }
}

/** The backup's migrations, which this version must know and which must be the start of its own list. */
function checkMigrations(manifest: BackupManifest, known: Record<string, Migration>): string[] {
  const ours = Object.keys(known).sort();
  const unknown = manifest.migrations.filter((name) => !known[name]);
  if (unknown.length) throw new BackupError(`the backup comes from a newer version (migration ${unknown[0]} is unknown here): restore it with that version or later`);
  const theirs = [...manifest.migrations].sort();
  if (theirs.some((name, i) => ours[i] !== name)) throw new BackupError('the backup\'s migrations do not match this version\'s history');
  return theirs;
}

async function refuseIfAhead(db: Db, backupMigrations: string[]) {
  if (!(await tableExists(db, 'zt_migration'))) return;
  const applied = (await sql<{ name: string }>`select name from zt_migration order by name`.execute(db)).rows.map((r) => r.name);
  const behind = applied.filter((name) => !backupMigrations.includes(name));
  if (behind.length) {
    throw new BackupError(`the target database is already migrated past the backup (${behind[behind.length - 1]}): restore into a new database, the restore migrates it`);
  }
}

async function checkSchema(db: Db, manifest: BackupManifest) {
  const tables = await describeTables(db);
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const table of manifest.tables) {
    const ours = byName.get(table.name);
    if (!ours) throw new BackupError(`table ${table.name} of the backup does not exist here`);
    const missing = table.columns.filter((c) => !ours.columns.includes(c));
    const extra = ours.columns.filter((c) => !table.columns.includes(c));
    if (missing.length || extra.length) throw new BackupError(`table ${table.name} has other columns here (${[...missing, ...extra].join(', ')})`);
  }
  const unexpected = tables.filter((t) => !manifest.tables.some((m) => m.name === t.name));
  if (unexpected.length) throw new BackupError(`table ${unexpected[0].name} exists here but not in the backup`);
}

/** Files are content-addressed: one already present is the same file. Keys are written mode 600. */
async function placeFiles(staging: string, dataDir: string, manifest: BackupManifest, key: Buffer | null): Promise<number> {
  for (const entry of manifest.files) {
    const destination = path.join(dataDir, entry.path);
    if (fs.existsSync(destination)) continue;
    await fsp.mkdir(path.dirname(destination), { recursive: true, mode: 0o750 });
    await fsp.rename(path.join(staging, entry.path), destination);
  }
  if (key) {
    const keysDir = path.join(dataDir, 'keys');
    await fsp.mkdir(keysDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(keysDir, `.field.key.${crypto.randomUUID()}`);
    await fsp.writeFile(tmp, key.toString('hex'), { mode: 0o600 });
    await fsp.rename(tmp, path.join(keysDir, 'field.key'));
  }
  for (const entry of manifest.keys) {
    if (entry.path === 'keys/field.key') continue;
    const destination = path.join(dataDir, entry.path);
    await fsp.mkdir(path.dirname(destination), { recursive: true, mode: 0o700 });
    await fsp.copyFile(path.join(staging, entry.path), destination);
    await fsp.chmod(destination, 0o600);
  }
  return manifest.files.length;
}

/**
 * One transaction: foreign keys are dropped and re-created (which re-checks every row), user
 * triggers are off while loading (rows are restored as they were, nothing is derived twice),
 * rows left by migrations are replaced by the backup's, sequences continue where they were.
 */
async function loadRows(db: Db, staging: string, manifest: BackupManifest, keys: AuditKeys): Promise<{ rows: number; audit: VerifyResult }> {
  let total = 0;
  return db.transaction().execute(async (tx) => {
    const foreignKeys = await listForeignKeys(tx);
    for (const fk of foreignKeys) await sql`alter table ${sql.id(fk.table)} drop constraint ${sql.id(fk.name)}`.execute(tx);
    const tables = manifest.tables.filter((t) => t.name !== MIGRATION_LOCK_TABLE);
    for (const table of tables) await sql`alter table ${sql.id(table.name)} disable trigger user`.execute(tx);
    for (const table of tables) await sql`delete from ${sql.id(table.name)}`.execute(tx);

    for (const table of tables) {
      const columns = sql.join(table.columns.map((c) => sql.id(c)));
      const insert = (lines: string[]) =>
        sql`insert into ${sql.id(table.name)} (${columns}) overriding system value
            select ${columns} from jsonb_populate_recordset(null::${sql.id(table.name)}, ${`[${lines.join(',')}]`}::jsonb)`.execute(tx);
      let batch: string[] = [];
      let bytes = 0;
      const input = readline.createInterface({ input: fs.createReadStream(path.join(staging, table.part), 'utf8'), crlfDelay: Infinity });
      for await (const line of input) {
        if (!line) continue;
        batch.push(line);
        bytes += line.length;
        if (batch.length >= INSERT_ROWS || bytes >= INSERT_BYTES) {
          await insert(batch);
          batch = [];
          bytes = 0;
        }
      }
      if (batch.length) await insert(batch);
      const count = await countRows(tx, table.name);
      if (count !== table.rows) throw new BackupError(`table ${table.name}: loaded ${count} rows, the backup has ${table.rows}`);
      total += count;
    }
    // The migration lock's row is the target's own (it is not replaced) but counts like the backup's,
    // so the report names as many rows as the backup holds.
    const lock = manifest.tables.find((t) => t.name === MIGRATION_LOCK_TABLE);
    if (lock) total += Math.min(lock.rows, await countRows(tx, lock.name));

    for (const seq of manifest.sequences) {
      const name = `"${seq.name.replace(/"/g, '""')}"`;
      await sql`select setval(${name}::regclass, ${seq.lastValue}::bigint, ${seq.isCalled})`.execute(tx);
    }
    for (const table of tables) await sql`alter table ${sql.id(table.name)} enable trigger user`.execute(tx);
    for (const fk of foreignKeys) {
      try {
        await sql`alter table ${sql.id(fk.table)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.definition)}`.execute(tx);
      } catch (error) {
        throw new BackupError(`the backup's rows break the foreign key ${fk.name} of ${fk.table}: ${(error as Error).message}`);
      }
    }

    // Checked before commit: a chain that does not verify leaves the target as empty as it was.
    const audit = await verifyChain(tx, { keys, dataDir: null });
    if (!audit.ok) {
      const where = audit.firstBrokenId !== null ? `record ${audit.firstBrokenId}` : audit.firstBrokenLane !== null ? `lane ${audit.firstBrokenLane}` : 'its latest checkpoint';
      throw new BackupError(`the backup's audit chain is broken at ${where} (${audit.problem})`);
    }
    if (audit.checked !== manifest.audit.records) throw new BackupError(`loaded ${audit.checked} audit records, the backup has ${manifest.audit.records}`);
    if (manifest.audit.lastId !== null) {
      const last = await sql<{ hash: string }>`select hash from audit_log where id = ${manifest.audit.lastId}`.execute(tx);
      if (last.rows[0]?.hash !== manifest.audit.lastHash) throw new BackupError('the last audit record differs from the manifest');
    }
    return { rows: total, audit };
  });
}
