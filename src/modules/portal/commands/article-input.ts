/** The checks and the normal form of an article's fields, shared by creating and editing. */
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { bodyText, plainText, sanitizeRichText } from '../../../platform/views/rich-text.ts';
import type { ArticleRow } from '../model.ts';

export interface ArticleInput {
  siteId: string;
  columnId: string;
  title: string;
  subtitle?: string | null;
  summary?: string | null;
  body: string;
  source?: string | null;
  author?: string | null;
  keywords?: string[];
  attachments?: string[];
  attachmentContact?: string | null;
  publishAt?: string | null;
  unpublishAt?: string | null;
}
export type ArticlePatch = Partial<Omit<ArticleInput, 'siteId'>>;

/** An article's content as stored (titles plain text, the body sanitised) and its times. */
export interface ArticleContent {
  title: string;
  subtitle: string | null;
  summary: string | null;
  body: string;
  source: string | null;
  author: string | null;
  keywords: string[];
  attachmentIds: string[];
  attachmentContact: string | null;
  publishAt: Date | null;
  unpublishAt: Date | null;
}

const optionalText = (value: string | null | undefined) => (value == null ? null : plainText(value) || null);
const time = (value: string) => {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
};

/** The content of the article as it stands now. */
export const contentOf = (row: ArticleRow): ArticleContent => ({
  title: row.title,
  subtitle: row.subtitle,
  summary: row.summary,
  body: row.body,
  source: row.source,
  author: row.author,
  keywords: row.keywords,
  attachmentIds: row.attachment_ids,
  attachmentContact: row.attachment_contact,
  publishAt: row.publish_at,
  unpublishAt: row.unpublish_at,
});

/**
 * The article's content after the input (a whole article, or a patch over `current`): titles and
 * other one-line fields are plain text (tags removed, never kept), the body is sanitised rich text.
 * Every problem is reported at once; times in the past are 422 (a publish time must lie ahead when it is set).
 */
export function checkArticleContent(input: ArticlePatch, current: ArticleContent | null, now: Date): ArticleContent {
  const errors: FieldError[] = [];
  const pick = <K extends keyof ArticlePatch>(key: K) => input[key] !== undefined;
  const title = pick('title') ? plainText(input.title!) : current!.title;
  if (!title) errors.push(fieldError('body.title', 'portal.check.blank'));
  const body = pick('body') ? sanitizeRichText(input.body!, 'article') : current!.body;
  if (!bodyText(body) && !/<img\s/i.test(body)) errors.push(fieldError('body.body', 'portal.check.bodyEmpty'));
  const keywords = pick('keywords') ? [...new Set(input.keywords!.map((k) => plainText(k)).filter(Boolean))] : (current?.keywords ?? []);
  const attachmentIds = pick('attachments') ? [...new Set(input.attachments!)] : (current?.attachmentIds ?? []);
  const attachmentContact = pick('attachmentContact') ? optionalText(input.attachmentContact) : (current?.attachmentContact ?? null);
  // 无障碍: whoever cannot read an attachment can ask for another format.
  if (attachmentIds.length && !attachmentContact) errors.push(fieldError('body.attachmentContact', 'portal.check.attachmentContact'));
  let publishAt = current?.publishAt ?? null;
  let unpublishAt = current?.unpublishAt ?? null;
  if (pick('publishAt')) {
    publishAt = input.publishAt ? time(input.publishAt) : null;
    if (input.publishAt && !publishAt) errors.push(fieldError('body.publishAt', 'portal.check.time'));
  }
  if (pick('unpublishAt')) {
    unpublishAt = input.unpublishAt ? time(input.unpublishAt) : null;
    if (input.unpublishAt && !unpublishAt) errors.push(fieldError('body.unpublishAt', 'portal.check.time'));
  }
  if (errors.length) throw invalid(errors);
  if (pick('publishAt') && publishAt && publishAt <= now) throw new AppError('PORTAL_PUBLISH_AT_PAST', { detail: { key: 'portal.article.publishAtPast' }, errors: [fieldError('body.publishAt', 'portal.article.publishAtPast')] });
  if (unpublishAt && (pick('unpublishAt') || pick('publishAt')) && (unpublishAt <= now || (publishAt && unpublishAt <= publishAt))) {
    throw new AppError('PORTAL_UNPUBLISH_AT_INVALID', { detail: { key: 'portal.article.unpublishAtInvalid' }, errors: [fieldError('body.unpublishAt', 'portal.article.unpublishAtInvalid')] });
  }
  return {
    title,
    subtitle: pick('subtitle') ? optionalText(input.subtitle) : (current?.subtitle ?? null),
    summary: pick('summary') ? optionalText(input.summary) : (current?.summary ?? null),
    body,
    source: pick('source') ? optionalText(input.source) : (current?.source ?? null),
    author: pick('author') ? optionalText(input.author) : (current?.author ?? null),
    keywords,
    attachmentIds,
    attachmentContact,
    publishAt,
    unpublishAt,
  };
}

/** The article's (and a revision's) columns for its content. */
export const contentColumns = (content: ArticleContent) => ({
  title: content.title,
  subtitle: content.subtitle,
  summary: content.summary,
  body: content.body,
  source: content.source,
  author: content.author,
  keywords: JSON.stringify(content.keywords) as never as string[],
  attachment_ids: JSON.stringify(content.attachmentIds) as never as string[],
});
