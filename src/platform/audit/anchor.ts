import type { Platform } from '../module.ts';
import { checkpointSignatureValid, latestCheckpoint, takeCheckpoint, type Logger, type StoredCheckpoint } from './checkpoints.ts';
import { auditKeysOf, useAuditKey } from './keys.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

/** A checkpoint of the platform's audit log now (when anything was written since the last, unless `force`). */
export function checkpointNow(platform: Pick<Platform, 'db' | 'config' | 'clock'>, options: { log?: Logger; force?: boolean } = {}): Promise<StoredCheckpoint | null> {
  const keys = auditKeysOf(platform.db) ?? useAuditKey(platform.db, platform.config);
  return takeCheckpoint(platform.db, keys, { dataDir: platform.config.dataDir, log: options.log, force: options.force, now: platform.clock.now() });
}

/** The platform's audit log verified with its key, against its checkpoints and the data folder's file. */
export function verifyPlatformChain(platform: Pick<Platform, 'db' | 'config'>): Promise<VerifyResult> {
  return verifyChain(platform.db, { keys: auditKeysOf(platform.db), dataDir: platform.config.dataDir });
}

/**
 * Whether the latest checkpoint was signed with this process's audit key; a message when not (a
 * process started with another key file or ZT_AUDIT_KEY writes records that fail verification).
 */
export async function auditKeyMismatch(platform: Pick<Platform, 'db' | 'config'>): Promise<string | null> {
  const keys = auditKeysOf(platform.db) ?? useAuditKey(platform.db, platform.config);
  const latest = await latestCheckpoint(platform.db);
  if (!latest || checkpointSignatureValid(latest, keys.publicKey)) return null;
  return `the latest audit checkpoint (${latest.seq}) was not signed with this process's audit key: every process must use the same key (keys/audit.key or ZT_AUDIT_KEY), or the checkpoint was forged; run zt audit verify`;
}
