/**
 * Rich text written by staff and shown to others: an official document's body (exchange,
 * docs/decisions/0014-document-body-sanitiser.md) and a portal article's body. Sanitised once, at
 * write, by sanitize-html, so no reader has to trust a stored body: scripts, styles, frames, forms,
 * event handlers and every attribute not named below are removed. Plain text (a form without a
 * rich editor) becomes one paragraph per line, escaped.
 *
 * Two profiles: `document` keeps to what a GB/T 9704 document is made of (no links, no images);
 * `article` adds links (http, https, mailto and addresses on the site) and images (https or the
 * platform's own files), which a web page needs.
 */
import sanitizeHtml from 'sanitize-html';

/** The longest body accepted, in characters as sent (before sanitising). */
export const MAX_BODY_CHARS = 200_000;

const DOCUMENT_TAGS = ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup', 'ol', 'ul', 'li', 'h2', 'h3', 'h4', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];
// Whatever is inside a removed script or style goes with it; other removed tags keep their text.
const NON_TEXT_TAGS = ['script', 'style', 'textarea', 'noscript', 'title', 'iframe', 'object', 'template'];

const PROFILES: Record<'document' | 'article', sanitizeHtml.IOptions> = {
  document: {
    allowedTags: DOCUMENT_TAGS,
    allowedAttributes: { th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'] },
    allowedSchemes: [],
    nonTextTags: NON_TEXT_TAGS,
    disallowedTagsMode: 'discard',
  },
  article: {
    allowedTags: [...DOCUMENT_TAGS, 'a', 'img', 'figure', 'figcaption', 'caption'],
    allowedAttributes: { th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'], a: ['href', 'title'], img: ['src', 'alt', 'width', 'height'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['https'] },
    allowProtocolRelative: false,
    nonTextTags: NON_TEXT_TAGS,
    disallowedTagsMode: 'discard',
  },
};

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Rich text as stored: sanitised HTML; plain text is turned into paragraphs first. */
export function sanitizeRichText(input: string, profile: 'document' | 'article'): string {
  const looksLikeHtml = /<[a-zA-Z!/]/.test(input);
  const html = looksLikeHtml
    ? input
    : input
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => `<p>${escapeText(line)}</p>`)
        .join('');
  return sanitizeHtml(html, PROFILES[profile]).trim();
}

/** An official document's body as stored (the `document` profile). */
export const sanitizeBody = (input: string): string => sanitizeRichText(input, 'document');

/** The text a person reads in the body (tags removed), to tell an empty body from a real one. */
export function bodyText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;|\u00a0/g, ' ')
    .trim();
}

/** The stored body back as plain text lines, for a form's text box (and a revision's line diff). */
export function bodyAsText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|h2|h3|h4|li|tr|blockquote|figcaption)>/g, '$&\n').replace(/<br\s*\/?>/g, '\n'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** Plain text of a one-line field (a title): tags are removed, never kept or executed, spaces folded. */
export function plainText(input: string): string {
  return bodyAsText(sanitizeHtml(input, { allowedTags: [], allowedAttributes: {}, nonTextTags: NON_TEXT_TAGS })).replace(/\s+/g, ' ').trim();
}
