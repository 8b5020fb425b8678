import { ALLOWED_TYPES, type AllowedType } from './sniff.ts';

export const MAX_NAME_LENGTH = 200;

// Controls, bidirectional overrides (which make "invoice\u202Efdp.exe" display as "invoiceexe.pdf"),
// zero-width characters and the line/paragraph separators.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
/** Characters that Windows refuses in names; replaced so a download saves under the shown name. */
const NOT_PORTABLE = /[<>:"|?*]/g;

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/**
 * The display name of an upload: the last path component only ("../../x" is "x"), without
 * control or invisible characters, at most MAX_NAME_LENGTH characters, ending in an extension
 * that fits the sniffed type (appended when the name claims something else). The name is
 * only ever shown and sent back in Content-Disposition; it never reaches a file system.
 */
export function sanitizeFileName(raw: string | undefined, type: AllowedType): string {
  let name = (raw ?? '').normalize('NFC').replace(INVISIBLE, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(NOT_PORTABLE, '_').trim();
  // Leading dots would make a hidden file; trailing dots and spaces are dropped by Windows.
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  const { extensions } = ALLOWED_TYPES[type];
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const fits = (extensions as readonly string[]).includes(ext);
  if (!name) name = 'file';
  const suffix = fits ? name.slice(dot) : `.${extensions[0]}`;
  const base = fits ? name.slice(0, dot) : name;
  return truncate(base, MAX_NAME_LENGTH - Array.from(suffix).length) + suffix;
}

/** RFC 6266 / RFC 5987: an ASCII fallback for old clients plus the exact name in UTF-8. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
