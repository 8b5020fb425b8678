import crypto from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/**
 * GM/T cryptography behind one interface, so that a certified hardware module can
 * replace the software implementation without touching callers.
 */
export interface CryptoProvider {
  sm3(data: string | Uint8Array): string;
  hmacSm3(key: Uint8Array, data: string | Uint8Array): string;
  /** SM4-CBC then HMAC-SM3 over iv and ciphertext; output is base64 text. */
  sm4Encrypt(key: Uint8Array, plaintext: string): string;
  sm4Decrypt(key: Uint8Array, sealed: string): string;
  sm2GenerateKeyPair(): { publicKey: string; privateKey: string };
  /**
   * SM2 signature with SM3 digest and Z value (hash: true), DER encoded, hex. The public key goes
   * into Z; given, it is not derived from the private key again (a scalar multiplication).
   */
  sm2Sign(privateKeyHex: string, message: string, publicKeyHex?: string): string;
  sm2Verify(publicKeyHex: string, message: string, signatureHex: string): boolean;
  randomToken(bytes?: number): string;
}

const SIGN_OPTIONS = { hash: true, der: true } as const;

// A process uses one or two field keys for its whole life: the keys derived from them are kept.
const derivedKeys = new WeakMap<Uint8Array, { encKey: Buffer; macKey: Buffer }>();

function deriveKeys(key: Uint8Array): { encKey: Buffer; macKey: Buffer } {
  const known = derivedKeys.get(key);
  if (known) return known;
  const encKey = crypto.createHmac('sm3', key).update('zt-sm4-enc').digest().subarray(0, 16);
  const macKey = crypto.createHmac('sm3', key).update('zt-sm4-mac').digest();
  derivedKeys.set(key, { encKey, macKey });
  return { encKey, macKey };
}

export const softwareCrypto: CryptoProvider = {
  sm3(data) {
    return crypto.createHash('sm3').update(data).digest('hex');
  },
  hmacSm3(key, data) {
    return crypto.createHmac('sm3', key).update(data).digest('hex');
  },
  sm4Encrypt(key, plaintext) {
    const { encKey, macKey } = deriveKeys(key);
    const iv = crypto.randomBytes(16);
    const cipher = crypto.createCipheriv('sm4-cbc', encKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const mac = crypto.createHmac('sm3', macKey).update(iv).update(body).digest();
    return Buffer.concat([iv, body, mac]).toString('base64');
  },
  sm4Decrypt(key, sealed) {
    const { encKey, macKey } = deriveKeys(key);
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < 16 + 16 + 32) throw new Error('sealed value too short');
    const iv = raw.subarray(0, 16);
    const body = raw.subarray(16, raw.length - 32);
    const mac = raw.subarray(raw.length - 32);
    const expected = crypto.createHmac('sm3', macKey).update(iv).update(body).digest();
    if (!crypto.timingSafeEqual(mac, expected)) throw new Error('sealed value was altered');
    const decipher = crypto.createDecipheriv('sm4-cbc', encKey, iv);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  },
  sm2GenerateKeyPair() {
    const pair = sm2.generateKeyPairHex();
    return { publicKey: pair.publicKey, privateKey: pair.privateKey };
  },
  sm2Sign(privateKeyHex, message, publicKeyHex) {
    return sm2.doSignature(message, privateKeyHex, publicKeyHex ? { ...SIGN_OPTIONS, publicKey: publicKeyHex } : SIGN_OPTIONS);
  },
  sm2Verify(publicKeyHex, message, signatureHex) {
    try {
      return sm2.doVerifySignature(message, signatureHex, publicKeyHex, SIGN_OPTIONS);
    } catch {
      return false;
    }
  },
  randomToken(bytes = 32) {
    return crypto.randomBytes(bytes).toString('base64url');
  },
};

export const sm3 = (data: string | Uint8Array) => softwareCrypto.sm3(data);
