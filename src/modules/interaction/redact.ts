/**
 * What the message board may show of a letter and its answer: personal data removed. Mobile and
 * landline numbers, 18-digit ID numbers, e-mail addresses and the writer's name become ＊＊＊.
 * Digits may be written full-width (１３８…) or split by spaces and dashes.
 */
import { REDACTED } from './model.ts';

const D = '[0-9０-９]';
const SEP = '[\\s\\-－]?';
/** 18-digit ID numbers (the last may be X); 15-digit old ones too. */
const ID_NUMBER = new RegExp(`(?<![0-9０-９])(?:${D}{17}[0-9０-９XxＸｘ]|${D}{15})(?![0-9０-９])`, 'g');
/** Mobile numbers, with or without +86, grouped 3-4-4 or not. */
const MOBILE = new RegExp(`(?<![0-9０-９])(?:(?:\\+|＋)?(?:86|８６)${SEP})?[1１][3-9３-９]${D}${SEP}${D}{4}${SEP}${D}{4}(?![0-9０-９])`, 'g');
/** Landlines: an area code (0xx or 0xxx) with 7–8 digits, or 7–8 digits alone, with an optional extension. */
const LANDLINE = new RegExp(`(?<![0-9０-９])(?:[(（]?[0０]${D}{2,3}[)）]?${SEP})?[2-9２-９]${D}{2,3}${SEP}${D}{4}(?:(?:转|-|ext\\.?)${D}{1,5})?(?![0-9０-９])`, 'g');
const EMAIL = /[\p{L}\p{N}._%+-]+(?:@|＠)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text with personal data replaced; `names`: the writer's name (and any other name to hide). */
export function redact(text: string, names: readonly string[] = []): string {
  let out = text.replace(EMAIL, REDACTED).replace(ID_NUMBER, REDACTED).replace(MOBILE, REDACTED).replace(LANDLINE, REDACTED);
  for (const name of names.map((n) => n.trim()).filter((n) => [...n].length >= 2).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(escapeRegExp(name), 'g'), REDACTED);
  }
  return out;
}
