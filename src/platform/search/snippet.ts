/**
 * Plain text from a document's HTML, and the highlighted title and snippet of a result. Both are
 * HTML strings made here: every character of the stored text is escaped, and only the <mark>
 * elements added around the asked words are markup.
 */
import { decodeEntities } from '../documents/rich-text.ts';
import { normalise, type QueryTerm } from './tokens.ts';

/** Text of an HTML fragment: scripts, styles and comments dropped, tags as spaces, entities decoded. */
export function htmlToText(html: string): string {
  const stripped = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style|template|noscript)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<\/?(?:p|div|br|li|tr|td|th|h[1-6]|section|article|table|ul|ol|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>?/g, ' ');
  return collapse(decodeEntities(stripped));
}

/**
 * Runs of white space as one (snippets are one line); control characters dropped (PostgreSQL's
 * text refuses NUL).
 */
export const collapse = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex -- exactly the control characters are meant
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * Where the asked words occur in the text: [start, end) ranges in UTF-16 units, sorted, merged.
 * Matching is on the normalised text (full-width letters and digits match ASCII); NFKC keeps the
 * length of every character that can be asked (Han, letters, digits), so ranges map back.
 */
export function matchRanges(text: string, terms: QueryTerm[]): Array<[number, number]> {
  const folded = foldSameLength(text);
  const ranges: Array<[number, number]> = [];
  for (const term of terms) {
    const needle = term.text;
    if (!needle) continue;
    for (let at = folded.indexOf(needle); at >= 0 && ranges.length < 500; at = folded.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The text normalised character by character where that keeps its length, else as it is. */
function foldSameLength(text: string): string {
  let out = '';
  for (const ch of text) {
    const n = normalise(ch);
    out += n.length === ch.length ? n : ch;
  }
  return out;
}

/** The text with the ranges marked, all of it escaped. */
function marked(text: string, ranges: Array<[number, number]>, from = 0, to = text.length): string {
  let out = '';
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    out += escapeHtml(text.slice(at, s)) + `<mark>${escapeHtml(text.slice(s, e))}</mark>`;
    at = e;
  }
  return out + escapeHtml(text.slice(at, to));
}

/** The whole title with the asked words marked. */
export function highlightTitle(title: string, terms: QueryTerm[]): string {
  return marked(title, matchRanges(title, terms));
}

/**
 * A window of about `width` characters of the body around its first matches (a few characters of
 * context before the first one), with … where it was cut; the start of the body when nothing matches
 * there (the document matched by its title).
 */
export function snippetOf(body: string, terms: QueryTerm[], width = 120): string {
  const ranges = matchRanges(body, terms);
  if (ranges.length === 0) return escapeHtml(body.slice(0, width)) + (body.length > width ? '…' : '');
  let start = Math.max(0, ranges[0][0] - 20);
  // Never cut a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(body[start])) start -= 1;
  let end = Math.min(body.length, start + width);
  if (end < body.length && /[\ud800-\udbff]/.test(body[end - 1])) end -= 1;
  // A match cut by the window's end is kept whole.
  const cut = ranges.find(([s, e]) => s < end && e > end);
  if (cut) end = cut[1];
  return `${start > 0 ? '…' : ''}${marked(body, ranges, start, end)}${end < body.length ? '…' : ''}`;
}
