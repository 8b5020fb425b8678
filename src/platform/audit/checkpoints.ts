import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { sql, type Db } from '../db/index.ts';
import { softwareCrypto, sm3 } from '../crypto/index.ts';
import { canonicalJson } from '../crypto/canonical-json.ts';
import type { AuditKeys } from './keys.ts';

/** One lane's head at a checkpoint: how many records it had, the last one's id and hash. */
export interface CheckpointLane {
  lane: number;
  count: number;
  lastId: number;
  lastHash: string;
}

/** What a checkpoint signs (its canonical JSON). */
export interface CheckpointBody {
  v: 1;
  seq: number;
  at: string;
  /** Records of every lane together. */
  records: number;
  /** Records with a higher id must be keyed (chain version 2): a keyless one is a downgrade. */
  keylessUpTo: number;
  lanes: CheckpointLane[];
  /** SM3 of the previous checkpoint's signature; null for the first. */
  prev: string | null;
  /** The SM2 key that signs (derived from the audit key): an auditor verifies with it. */
  publicKey: string;
}

export interface StoredCheckpoint {
  seq: number;
  at: string;
  body: string;
  signature: string;
}

type CheckpointTables = { audit_checkpoints: { seq: number; at: Date; body: string; signature: string } };

/** The file of the data folder each checkpoint is also appended to. */
export const checkpointFileOf = (dataDir: string) => path.join(dataDir, 'audit', 'checkpoints.jsonl');

const CHECKPOINT_LOCK = 7_346_002;

export interface Logger {
  info(obj: object, msg?: string): void;
}

export class CheckpointKeyError extends Error {}

export function parseCheckpoint(stored: StoredCheckpoint): CheckpointBody {
  return JSON.parse(stored.body) as CheckpointBody;
}

/** The checkpoint's signature is the audit key's (the key pair derived from it), over its body. */
export function checkpointSignatureValid(stored: StoredCheckpoint, publicKey: string): boolean {
  let body: CheckpointBody;
  try {
    body = parseCheckpoint(stored);
  } catch {
    return false;
  }
  if (body.publicKey !== publicKey || body.seq !== stored.seq) return false;
  return softwareCrypto.sm2Verify(publicKey, stored.body, stored.signature);
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | null> {
  const row = await db.withTables<CheckpointTables>().selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: Number(row.seq), at: new Date(row.at).toISOString(), body: row.body, signature: row.signature } : null;
}

/**
 * Signs a checkpoint of every lane's head and keeps it in audit_checkpoints, then appends it to
 * the data folder's file (fsync'd) and writes it as one line of the log. Does nothing when no
 * record was written since the previous checkpoint, unless `force`. Any process may run it: one
 * at a time, under an advisory lock. Counts only the records after the previous checkpoint.
 */
export async function takeCheckpoint(
  db: Db,
  keys: AuditKeys,
  options: { dataDir: string; log?: Logger; force?: boolean; now?: Date },
): Promise<StoredCheckpoint | null> {
  const stored = await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK}::int)`.execute(tx);
    const previous = await latestCheckpoint(tx);
    const prevBody = previous ? parseCheckpoint(previous) : null;
    if (previous && !checkpointSignatureValid(previous, keys.publicKey)) {
      // Another key signed it (a process with its own key file), or the row was forged: signing on
      // would anchor a chain this key cannot vouch for.
      throw new CheckpointKeyError(`checkpoint ${previous.seq} was not signed with this audit key: every process must use the same key (keys/audit.key or ZT_AUDIT_KEY)`);
    }
    const lanes = new Map((prevBody?.lanes ?? []).map((l) => [l.lane, { ...l }]));
    const after = (prevBody?.lanes ?? []).map((l) => ({ lane: l.lane, after: l.lastId }));
    const minAfter = prevBody && lanes.size ? Math.min(...after.map((a) => a.after)) : 0;
    // One statement, one snapshot: each lane is seen up to a commit of its own (a lane's lock is
    // held until commit), so every count and last id below is a state the lane really had.
    const grown = await sql<{ lane: number; n: number; last_id: number; hash: string }>`
      select g.lane, g.n, g.last_id, a.hash from (
        select a.lane, count(*)::bigint as n, max(a.id) as last_id
          from audit_log a left join jsonb_to_recordset(${JSON.stringify(after)}::jsonb) as p(lane int, after bigint) on p.lane = a.lane
         where a.id > ${minAfter}::bigint and a.id > coalesce(p.after, 0)
         group by a.lane) g
      join audit_log a on a.id = g.last_id`.execute(tx);
    if (!grown.rows.length && previous && !options.force) return null;
    for (const row of grown.rows) {
      const lane = Number(row.lane);
      const before = lanes.get(lane);
      lanes.set(lane, { lane, count: (before?.count ?? 0) + Number(row.n), lastId: Number(row.last_id), lastHash: row.hash });
    }
    const keylessUpTo =
      prevBody?.keylessUpTo ?? Number((await sql<{ id: number | null }>`select max(id) as id from audit_log where chain_version = 1`.execute(tx)).rows[0]?.id ?? 0);
    const seq = (previous?.seq ?? 0) + 1;
    const at = (options.now ?? new Date()).toISOString();
    const laneList = [...lanes.values()].sort((a, b) => a.lane - b.lane);
    const body: CheckpointBody = {
      v: 1,
      seq,
      at,
      records: laneList.reduce((n, l) => n + l.count, 0),
      keylessUpTo,
      lanes: laneList,
      prev: previous ? sm3(previous.signature) : null,
      publicKey: keys.publicKey,
    };
    const text = canonicalJson(body);
    const signature = softwareCrypto.sm2Sign(keys.privateKey, text, keys.publicKey);
    await tx.withTables<CheckpointTables>().insertInto('audit_checkpoints').values({ seq, at: new Date(at), body: text, signature }).execute();
    return { seq, at, body: text, signature };
  });
  if (!stored) return null;
  // After the commit: the file never holds a checkpoint the table might not.
  await appendCheckpointFile(options.dataDir, stored);
  options.log?.info({ auditCheckpoint: stored }, 'audit checkpoint');
  return stored;
}

async function appendCheckpointFile(dataDir: string, stored: StoredCheckpoint) {
  const file = checkpointFileOf(dataDir);
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await fsp.open(file, 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(stored)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The checkpoints of the data folder's file; a last line cut short by a crash is left out. */
export function readCheckpointFile(dataDir: string): StoredCheckpoint[] {
  const file = checkpointFileOf(dataDir);
  if (!fs.existsSync(file)) return [];
  const out: StoredCheckpoint[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as StoredCheckpoint;
      if (typeof parsed.seq === 'number' && typeof parsed.body === 'string' && typeof parsed.signature === 'string') out.push(parsed);
    } catch {
      if (i < lines.length - 2) out.push({ seq: -1, at: '', body: line, signature: '' });
    }
  });
  return out;
}
