/** Check digits and code shapes from the national standards. Pure functions. */

export type RegionLevel = 'province' | 'city' | 'county' | 'town' | 'village';
export const REGION_LEVELS: RegionLevel[] = ['province', 'city', 'county', 'town', 'village'];

/**
 * The level a GB/T 2260 code (extended to towns and villages) implies:
 * PP0000 province, PPCC00 city, PPCCDD county, 9 digits town, 12 digits village.
 */
export function regionLevelOf(code: string): RegionLevel | null {
  if (/^\d{12}$/.test(code)) return code.endsWith('000') ? null : 'village';
  if (/^\d{9}$/.test(code)) return code.endsWith('000') ? null : 'town';
  if (!/^\d{6}$/.test(code) || code.startsWith('00')) return null;
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/** The code prefix every descendant of the region shares. */
export function regionPrefix(code: string): string {
  if (code.length === 6) {
    if (code.endsWith('0000')) return code.slice(0, 2);
    if (code.endsWith('00')) return code.slice(0, 4);
  }
  return code;
}

/** Whether `parentCode` is the direct parent a region of `code` must have. */
export function isValidParent(code: string, level: RegionLevel, parentCode: string | null, parentLevel: RegionLevel | null): boolean {
  if (level === 'province') return parentCode === null;
  if (parentCode === null || parentLevel === null) return false;
  const expectedParentLevel = REGION_LEVELS[REGION_LEVELS.indexOf(level) - 1];
  if (parentLevel !== expectedParentLevel) return false;
  return code.startsWith(regionPrefix(parentCode)) && code !== parentCode;
}

const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 unified social credit code: 18 characters, the last one a check character. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return creditCheckChar(code.slice(0, 17)) === code[17];
}

export function creditCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_ALPHABET.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
  return CREDIT_ALPHABET[(31 - (sum % 31)) % 31];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 citizen identity number: 18 characters, valid birth date, ISO 7064 check. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day || birth.getTime() > Date.now()) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
}

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** Mainland mobile numbers. */
export function isValidMobile(phone: string): boolean {
  return /^1[3-9]\d{9}$/.test(phone);
}

export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****';
}

export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '****';
}
