import type { Db } from '../db/index.ts';
import { GENESIS_HASH, hashRecord, KEYED, KEYLESS, macRecord, type AuditTables } from './chain.ts';
import { AuditKeyMissingError, auditKeysOf, type AuditKeys } from './keys.ts';
import { checkpointSignatureValid, latestCheckpoint, parseCheckpoint, readCheckpointFile, type CheckpointBody, type StoredCheckpoint } from './checkpoints.ts';

/**
 * What failed first:
 * - 'record': the record's hash or link does not fit its lane (edited, deleted before it, moved);
 * - 'keyless': a keyless record where only keyed ones may be (a downgrade, decision 0013);
 * - 'checkpoint': the lane's record at the checkpoint's count is not the one it signed;
 * - 'truncated': the lane has fewer records than the checkpoint counted (its newest were deleted);
 * - 'signature': the latest checkpoint's signature is not the audit key's;
 * - 'checkpoint-missing': a checkpoint of the data folder's file is not in the table, or differs.
 */
export type ChainProblem = 'record' | 'keyless' | 'checkpoint' | 'truncated' | 'signature' | 'checkpoint-missing';

export interface VerifyResult {
  ok: boolean;
  /** Records that verified (up to the first failing one). */
  checked: number;
  firstBrokenId: number | null;
  /** The lane of the first failing record, or the truncated lane. */
  firstBrokenLane: number | null;
  problem: ChainProblem | null;
  /** The newest checkpoint (of the table or the file) the chain was checked against. */
  checkpoint: { seq: number; at: string; records: number; signatureValid: boolean } | null;
  /** Records written after that checkpoint (all of them when there is none): not yet anchored. */
  sinceCheckpoint: number;
  /** Checkpoints of the file that the table lacks or holds otherwise (seq numbers, at most 20). */
  checkpointsMissing: number[];
}

export interface VerifyOptions {
  /** The audit key's derived keys; by default the ones loaded for `db`. Null: keyed records cannot be checked. */
  keys?: AuditKeys | null;
  /** The data folder whose checkpoint file is compared with the table; null: no file. */
  dataDir?: string | null;
  pageSize?: number;
}

/** Finds the file's checkpoints that the table does not hold as they are. */
async function missingFromTable(db: Db, fromFile: StoredCheckpoint[]): Promise<number[]> {
  const missing: number[] = [];
  const q = db.withTables<{ audit_checkpoints: { seq: number; body: string; signature: string } }>();
  for (let i = 0; i < fromFile.length && missing.length < 20; i += 1000) {
    const chunk = fromFile.slice(i, i + 1000);
    const seqs = chunk.map((c) => c.seq).filter((s) => s > 0);
    const rows = seqs.length ? await q.selectFrom('audit_checkpoints').select(['seq', 'body', 'signature']).where('seq', 'in', seqs).execute() : [];
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    for (const c of chunk) {
      const row = bySeq.get(c.seq);
      if (!row || row.body !== c.body || row.signature !== c.signature) missing.push(c.seq);
    }
  }
  return missing.slice(0, 20);
}

/**
 * Walks the whole log in id order, in pages, following each lane's chain (within a lane, id order
 * is chain order: a lane's records get their ids while its lock is held), and checks it against
 * the newest signed checkpoint. Reports the first record that does not fit, or the lane that
 * lost its newest records.
 */
export async function verifyChain(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const keys = options.keys === undefined ? auditKeysOf(db) : options.keys;
  const pageSize = options.pageSize ?? 5000;
  const q = db.withTables<AuditTables>();

  const fromFile = options.dataDir ? readCheckpointFile(options.dataDir) : [];
  const checkpointsMissing = fromFile.length ? await missingFromTable(db, fromFile) : [];
  // The newest checkpoint either place holds: deleting it from the table does not hide it.
  let anchor = await latestCheckpoint(db);
  for (const c of fromFile) if (c.seq > (anchor?.seq ?? 0)) anchor = c;
  let anchorBody: CheckpointBody | null = null;
  let signatureValid = false;
  if (anchor) {
    const publicKey = keys?.publicKey ?? safeBody(anchor)?.publicKey ?? '';
    signatureValid = checkpointSignatureValid(anchor, publicKey);
    if (signatureValid) anchorBody = parseCheckpoint(anchor);
  }
  const anchorLanes = new Map((anchorBody?.lanes ?? []).map((l) => [l.lane, l]));

  const state = new Map<number, { count: number; head: string; keyed: boolean }>();
  let checked = 0;
  const result = (problem: ChainProblem | null, id: number | null, lane: number | null): VerifyResult => {
    let since = 0;
    for (const [laneNo, s] of state) since += Math.max(0, s.count - (anchorLanes.get(laneNo)?.count ?? 0));
    let finalProblem = problem;
    if (!finalProblem && anchor && !signatureValid) finalProblem = 'signature';
    if (!finalProblem && checkpointsMissing.length) finalProblem = 'checkpoint-missing';
    return {
      ok: finalProblem === null,
      checked,
      firstBrokenId: id,
      firstBrokenLane: lane,
      problem: finalProblem,
      checkpoint: anchor ? { seq: anchor.seq, at: anchor.at, records: safeBody(anchor)?.records ?? 0, signatureValid } : null,
      sinceCheckpoint: since,
      checkpointsMissing,
    };
  };

  let afterId = 0;
  for (;;) {
    const rows = await q.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(pageSize).execute();
    for (const row of rows) {
      const lane = Number(row.lane);
      const id = Number(row.id);
      let s = state.get(lane);
      if (!s) state.set(lane, (s = { count: 0, head: GENESIS_HASH, keyed: false }));
      const details = typeof row.details === 'string' ? JSON.parse(row.details) : row.details;
      const fields = { ...row, at: new Date(row.at), details };
      let expected: string;
      if (Number(row.chain_version) === KEYED) {
        if (!keys) throw new AuditKeyMissingError('the audit log has keyed records: verifying them needs the audit key (keys/audit.key of the data folder or ZT_AUDIT_KEY)');
        expected = macRecord(keys.chainKey, s.head, lane, fields);
      } else if (Number(row.chain_version) === KEYLESS) {
        // After the lane's first keyed record, or past what the checkpoint says was keyless: a downgrade.
        if (s.keyed || (anchorBody && id > anchorBody.keylessUpTo)) return result('keyless', id, lane);
        expected = hashRecord(s.head, fields);
      } else {
        return result('record', id, lane);
      }
      if (row.prev_hash !== s.head || row.hash !== expected) return result('record', id, lane);
      s.count += 1;
      s.head = row.hash;
      if (Number(row.chain_version) === KEYED) s.keyed = true;
      const at = anchorLanes.get(lane);
      if (at && s.count === at.count && (id !== at.lastId || row.hash !== at.lastHash)) return result('checkpoint', id, lane);
      checked += 1;
    }
    if (rows.length < pageSize) break;
    afterId = Number(rows[rows.length - 1].id);
  }
  for (const l of [...anchorLanes.values()].sort((a, b) => a.lane - b.lane)) {
    if ((state.get(l.lane)?.count ?? 0) < l.count) return result('truncated', null, l.lane);
  }
  return result(null, null, null);
}

function safeBody(stored: StoredCheckpoint): CheckpointBody | null {
  try {
    return parseCheckpoint(stored);
  } catch {
    return null;
  }
}
