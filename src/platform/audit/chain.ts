import crypto from 'node:crypto';
import { sm3 } from '../crypto/index.ts';
import { canonicalJson } from '../crypto/canonical-json.ts';

export type Outcome = 'success' | 'failure';

export interface AuditRow {
  id: number;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  unit_id: string | null;
  ip: string | null;
  request_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: Outcome;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  /** The chain (lane) the record belongs to; each lane is a chain of its own from GENESIS_HASH. */
  lane: number;
  /** 1: keyless SM3 (records written before decision 0013); 2: HMAC-SM3 with the audit key. */
  chain_version: number;
}

export type AuditTables = {
  audit_log: AuditRow;
};

export const GENESIS_HASH = '0'.repeat(64);
/** Chain version of the records written now. */
export const KEYED = 2;
export const KEYLESS = 1;

type Hashed = Omit<AuditRow, 'id' | 'hash' | 'prev_hash' | 'lane' | 'chain_version'>;

function recordText(prevHash: string, row: Hashed): string {
  return [
    prevHash,
    row.at.toISOString(),
    row.actor_id ?? '',
    row.actor_name ?? '',
    row.unit_id ?? '',
    row.ip ?? '',
    row.request_id ?? '',
    row.action,
    row.object_type ?? '',
    row.object_id ?? '',
    row.outcome,
    canonicalJson(row.details),
  ].join('\u001f');
}

/** Chain version 1: SM3(previous hash ‖ fields). Anyone can compute it: only for records written before the key. */
export function hashRecord(prevHash: string, row: Hashed): string {
  return sm3(recordText(prevHash, row));
}

/** Chain version 2: HMAC-SM3 under the audit key of (version ‖ lane ‖ previous hash ‖ fields). */
export function macRecord(chainKey: Uint8Array, prevHash: string, lane: number, row: Hashed): string {
  return crypto.createHmac('sm3', chainKey).update(`v2\u001f${lane}\u001f`).update(recordText(prevHash, row)).digest('hex');
}
