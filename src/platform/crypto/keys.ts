import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Config } from '../../config/index.ts';

/**
 * The SM4 key for personal data. ZT_FIELD_KEY wins; otherwise a key is generated once
 * into the data folder (keys/field.key, mode 600). Several processes must share one key.
 */
export function loadFieldKey(config: Config): Uint8Array {
  if (config.fieldKeyHex) return Buffer.from(config.fieldKeyHex, 'hex');
  const file = path.join(config.dataDir, 'keys', 'field.key');
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(16);
  try {
    fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    // Another process created it first: use theirs.
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  }
}
