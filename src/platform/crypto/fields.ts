import type { Platform } from '../module.ts';

/** Personal data at rest: SM4-sealed value plus a keyed SM3 blind index for exact lookups. */
export function sealField(platform: Pick<Platform, 'crypto' | 'fieldKey'>, value: string): string {
  return platform.crypto.sm4Encrypt(platform.fieldKey, value);
}
export function openField(platform: Pick<Platform, 'crypto' | 'fieldKey'>, sealed: string): string {
  return platform.crypto.sm4Decrypt(platform.fieldKey, sealed);
}
export function blindIndex(platform: Pick<Platform, 'crypto' | 'fieldKey'>, value: string): string {
  return platform.crypto.hmacSm3(platform.fieldKey, `idx:${value}`);
}
