/** Dates and numbers as official documents write them. */
const DIGITS = '〇一二三四五六七八九';

/** 1 → 一, 12 → 十二, 21 → 二十一 (up to 99). */
export function chineseNumber(n: number): string {
  if (n <= 10) return n === 10 ? '十' : DIGITS[n];
  if (n < 20) return `十${DIGITS[n - 10]}`;
  return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`;
}

/** '2026-12-07' as written on the approval module's documents: 二〇二六年十二月七日. */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const year = String(y)
    .split('')
    .map((c) => DIGITS[Number(c)])
    .join('');
  return `${year}年${chineseNumber(m)}月${chineseNumber(d)}日`;
}

/** '2026-05-01' as GB/T 9704-2012 writes a date (Arabic numerals, no leading zeros): 2026年5月1日. */
export function writtenDate(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Numbering of the four levels of a document's structure: 一、 （一） 1. （1）. */
export function levelNumber(level: 1 | 2 | 3 | 4, n: number): string {
  switch (level) {
    case 1:
      return `${chineseNumber(n)}、`;
    case 2:
      return `（${chineseNumber(n)}）`;
    case 3:
      return `${n}.`;
    case 4:
      return `（${n}）`;
  }
}

/** Whether a heading's text already starts with the numbering of some level. */
export const NUMBERED = /^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|\d+[.．]|（\d+）)/;
