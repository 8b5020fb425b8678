/**
 * Small, deterministic formatting for the renderers: dates in Asia/Shanghai without Intl (China
 * keeps no daylight saving time, so UTC+8 is exact, and the result cannot drift with the ICU
 * data of the machine that publishes), file sizes, and escaping for text and attributes.
 */
import Html from '@kitajs/html';
import { TEXT } from './text.ts';

const SHANGHAI_MS = 8 * 3600 * 1000;

function shanghai(iso: string): string | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t + SHANGHAI_MS).toISOString();
}

/** 2026-12-07 (the date in Asia/Shanghai), or '' for an unreadable value. */
export function dateOf(iso: string): string {
  return shanghai(iso)?.slice(0, 10) ?? '';
}

/** 2026-12-07 10:30 in Asia/Shanghai. */
export function dateTimeOf(iso: string): string {
  const s = shanghai(iso);
  return s ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : '';
}

/** The machine-readable value of <time datetime>: 2026-12-07T10:30:00+08:00. */
export function datetimeAttr(iso: string): string {
  const s = shanghai(iso);
  return s ? `${s.slice(0, 19)}+08:00` : '';
}

/** 856 KB, 1.2 MB: what a reader needs to decide to download on a phone. */
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function fileKindLabel(kind: string): string {
  return TEXT.fileKinds[kind.toLowerCase().replace(/^\./, '')] ?? TEXT.fileKindOther;
}

/** Text for element content and attribute values (kitajs quotes attributes but escapes only `"`). */
export const esc = (value: string | number | null | undefined): string => Html.escapeHtml(value ?? '');

/**
 * A search snippet: escaped text with <mark> around the matches. Any other `<` is escaped, so a
 * snippet cut in the middle of markup, or one that kept a tag by mistake, shows as text and can
 * never open an element.
 */
export function snippetHtml(snippet: string): string {
  return snippet.replace(/<(?!\/?mark>)/g, '&lt;');
}

/** The page address an anchor id may carry: [a-z0-9-] only. */
export const anchorId = (id: string) => id.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/** A rendered element as the string it is: the renderers are synchronous by construction. */
export function html(element: JSX.Element): string {
  if (typeof element !== 'string') throw new TypeError('portal pages are rendered synchronously');
  return element;
}
