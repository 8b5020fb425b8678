/**
 * The body of an official document: rich text kept to what a document is made of (paragraphs,
 * emphasis, lists, tables, headings), everything else removed — scripts, styles, links, images,
 * event handlers — by sanitize-html (docs/decisions/0014-document-body-sanitiser.md). Plain text
 * (the compose form without a rich editor) becomes one paragraph per line.
 */
import sanitizeHtml from 'sanitize-html';

/** The longest body accepted, in characters as sent (before sanitising). */
export const MAX_BODY_CHARS = 200_000;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup', 'ol', 'ul', 'li', 'h2', 'h3', 'h4', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'] },
  allowedSchemes: [],
  // Whatever is inside a removed script or style goes with it; other removed tags keep their text.
  nonTextTags: ['script', 'style', 'textarea', 'noscript', 'title', 'iframe', 'object', 'template'],
  disallowedTagsMode: 'discard',
};

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The body as stored: sanitised HTML; plain text is turned into paragraphs first. */
export function sanitizeBody(input: string): string {
  const looksLikeHtml = /<[a-zA-Z!/]/.test(input);
  const html = looksLikeHtml
    ? input
    : input
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => `<p>${escapeText(line)}</p>`)
        .join('');
  return sanitizeHtml(html, OPTIONS).trim();
}

/** The text a person reads in the body (tags removed), to tell an empty body from a real one. */
export function bodyText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;|\u00a0/g, ' ')
    .trim();
}

/** The stored body back as plain text lines, for the compose form's text box. */
export function bodyAsText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h2|h3|h4|li|tr|blockquote)>/g, '$&\n').replace(/<br\s*\/?>/g, '\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{2,}/g, '\n')
    .trim();
}
