import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import type { Config } from '../../config/index.ts';
import type { Db } from '../db/index.ts';

/**
 * The audit key (decision 0013): 32 random bytes held outside the database, in the data folder
 * (keys/audit.key, mode 600) or in ZT_AUDIT_KEY (hex) for processes that do not share a folder.
 * From it come the key of the chain's HMAC-SM3 and the SM2 key pair that signs checkpoints; the
 * key itself is never written to a table.
 */
export interface AuditKeys {
  /** HMAC-SM3 key of the chain (records of chain version 2). */
  chainKey: Buffer;
  /** SM2 key pair of the checkpoints, derived from the audit key (so every process has the same). */
  privateKey: string;
  publicKey: string;
  /** SM3 of the key, for backup manifests: says which key, reveals nothing of it. */
  fingerprint: string;
}

export const AUDIT_KEY_FILE = path.join('keys', 'audit.key');

export class AuditKeyMissingError extends Error {}

/** The order of the SM2 curve's base point. */
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

const hmac = (key: Uint8Array, label: string) => crypto.createHmac('sm3', key).update(label).digest();

export const auditKeyFingerprint = (key: Uint8Array) => crypto.createHash('sm3').update('zt-audit-key:').update(key).digest('hex');

/** The chain key and the checkpoint key pair of an audit key. */
export function deriveAuditKeys(key: Uint8Array): AuditKeys {
  // A private key in [1, n-2], from the key alone: every process holding the key signs alike.
  const d = (BigInt(`0x${hmac(key, 'zt-audit-sm2').toString('hex')}`) % (SM2_N - 2n)) + 1n;
  const privateKey = d.toString(16).padStart(64, '0');
  return { chainKey: hmac(key, 'zt-audit-chain'), privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey), fingerprint: auditKeyFingerprint(key) };
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

function readKeyFile(file: string): Buffer {
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(text)) throw new AuditKeyMissingError(`${file} does not hold an audit key (64 hexadecimal characters)`);
  return Buffer.from(text, 'hex');
}

/**
 * The audit key: ZT_AUDIT_KEY wins; else keys/audit.key of the data folder, generated there on
 * first use unless `create` is false (verification never invents a key: it would fail every record).
 */
export function loadAuditKey(config: Pick<Config, 'dataDir' | 'auditKeyHex'>, options: { create?: boolean } = {}): Buffer {
  if (config.auditKeyHex) return Buffer.from(config.auditKeyHex, 'hex');
  const file = path.join(config.dataDir, AUDIT_KEY_FILE);
  if (fs.existsSync(file)) return readKeyFile(file);
  if (options.create === false) throw new AuditKeyMissingError(`no audit key: neither ZT_AUDIT_KEY nor ${file}`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    // Another process created it first: use theirs.
    return readKeyFile(file);
  }
}

/** The keys of a database's writers, for the units of work on it (recordAudit has only the work). */
const registry = new WeakMap<Db, AuditKeys>();
const derived = new Map<string, AuditKeys>();

/** Loads (or creates) the audit key of a configuration and gives it to the writers on `db`. */
export function useAuditKey(db: Db, config: Pick<Config, 'dataDir' | 'auditKeyHex'>, options: { create?: boolean } = {}): AuditKeys {
  const keys = auditKeysFor(loadAuditKey(config, options));
  registry.set(db, keys);
  return keys;
}

/** The derived keys of an audit key, derived once per process (the public key is a scalar multiplication). */
export function auditKeysFor(key: Uint8Array): AuditKeys {
  const id = Buffer.from(key).toString('hex');
  let keys = derived.get(id);
  if (!keys) derived.set(id, (keys = deriveAuditKeys(key)));
  return keys;
}

export function registerAuditKeys(db: Db, keys: AuditKeys) {
  registry.set(db, keys);
}

export function auditKeysOf(db: Db | null | undefined): AuditKeys | null {
  return (db && registry.get(db)) || null;
}
