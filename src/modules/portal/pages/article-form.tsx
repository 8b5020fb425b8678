/**
 * The article editor's form: its fields, what the editor typed turned into the commands' input,
 * and back. The body is a plain text box: one paragraph per line, or pasted web text (HTML), which
 * the command sanitises; a body made only of paragraphs is shown again as lines.
 */
import type { ArticleInput, ArticlePatch } from '../commands/article-input.ts';
import { attr, Csrf, ErrorSummary, formText, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { TextArea } from '../disclosure/pages/parts.tsx';
import { bodyAsText } from '../../../platform/views/rich-text.ts';
import { LIMITS, MAX_KEYWORDS, type ArticleRow, type ColumnRow } from '../model.ts';

export const FORM = 'article';
export const FIELDS = ['columnId', 'title', 'subtitle', 'summary', 'body', 'source', 'author', 'keywords', 'publishAt', 'unpublishAt'] as const;
export type FormValues = Partial<Record<(typeof FIELDS)[number], string>>;

/** What a submit button asks for beside saving. */
export const INTENTS = ['save', 'preview', 'submit'] as const;
export type Intent = (typeof INTENTS)[number];

export interface FormState {
  values?: FormValues;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

/** A stored body as the editor typed it: lines when it is only paragraphs of text, else its HTML (kept, not flattened). */
export function editableBody(html: string): string {
  return /^(<p>[^<]*<\/p>)*$/.test(html) ? bodyAsText(html) : html;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** A stored moment as the value of a datetime-local field, in Beijing time. */
export function localInput(value: Date | null): string {
  return value ? new Date(value.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16) : '';
}

/** A datetime-local value typed in Beijing time as an ISO moment; empty → null; unreadable → kept for the command to refuse. */
export function fromLocalInput(value: string | undefined): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) ? `${text}:00+08:00` : text;
}

/** Keywords typed in one line, separated by commas, 、 or spaces. */
export const keywordsOf = (text: string | undefined) =>
  (text ?? '')
    .split(/[,，、;；\s]+/)
    .map((k) => k.trim())
    .filter(Boolean);

/** What the form sent; a browser sends a text box's line breaks as CRLF, kept here as LF like the stored text. */
export function valuesOf(body: unknown): FormValues {
  return Object.fromEntries(FIELDS.map((name) => [name, (name === 'body' ? String((body as Record<string, unknown> | null)?.body ?? '') : formText(body, name)).replace(/\r\n?/g, '\n')]));
}

export const intentOf = (body: unknown): Intent => {
  const intent = formText(body, 'intent');
  return (INTENTS as readonly string[]).includes(intent) ? (intent as Intent) : 'save';
};

/** The form's values as an edit of the article: every field, empty ones cleared. */
export function patchOf(values: FormValues): ArticlePatch {
  return {
    columnId: values.columnId || undefined,
    title: values.title ?? '',
    subtitle: values.subtitle || null,
    summary: values.summary || null,
    body: values.body ?? '',
    source: values.source || null,
    author: values.author || null,
    keywords: keywordsOf(values.keywords),
    publishAt: fromLocalInput(values.publishAt),
    unpublishAt: fromLocalInput(values.unpublishAt),
  };
}

export const inputOf = (siteId: string, values: FormValues): ArticleInput => ({ ...patchOf(values), siteId, columnId: values.columnId ?? '', title: values.title ?? '', body: values.body ?? '' });

/** The form's values for an article as it is stored. */
export const valuesOfArticle = (a: ArticleRow): FormValues => ({
  columnId: a.column_id,
  title: a.title,
  subtitle: a.subtitle ?? '',
  summary: a.summary ?? '',
  body: editableBody(a.body),
  source: a.source ?? '',
  author: a.author ?? '',
  keywords: a.keywords.join('，'),
  publishAt: localInput(a.publish_at),
  unpublishAt: localInput(a.unpublish_at),
});

export const fieldLabels = (ctx: ViewContext): Record<string, string> => Object.fromEntries(FIELDS.map((f) => [f, ctx.ta(`page.portalAdmin.article.field.${f}`)]));

/** Columns an article can be written in: the site's article lists and single pages, with their place in the tree. */
export function columnOptions(columns: ColumnRow[]) {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const trail = (c: ColumnRow): string => (c.parent_id && byId.get(c.parent_id) ? `${trail(byId.get(c.parent_id)!)} / ${c.name}` : c.name);
  return columns.filter((c) => c.kind === 'article_list' || c.kind === 'single_page').map((c) => ({ value: c.id, label: trail(c) }));
}

export function ArticleForm({ ctx, action, values, state, columns, submitKey, version }: { ctx: ViewContext; action: string; values: FormValues; state: FormState; columns: ColumnRow[]; submitKey: string | null; version?: number }) {
  const f = state.fields ?? {};
  const t = (key: string) => ctx.ta(`page.portalAdmin.article.${key}`);
  return (
    <>
      <ErrorSummary ctx={ctx} form={FORM} summary={state.summary} fields={f} status={state.status} labels={fieldLabels(ctx)} />
      <form method="post" action={attr(action)} class="form" novalidate>
        <Csrf ctx={ctx} />
        {/* The version the editor started from: a save over a newer one is refused, not lost. */}
        {version !== undefined ? <input type="hidden" name="version" value={attr(String(version))} /> : ''}
        <SelectField ctx={ctx} form={FORM} name="columnId" label={t('field.columnId')} value={values.columnId} error={f.columnId} options={columnOptions(columns)} placeholder={t('chooseColumn')} required />
        <TextField ctx={ctx} form={FORM} name="title" label={t('field.title')} value={values.title} error={f.title} maxlength={LIMITS.title} size="long" required />
        <TextField ctx={ctx} form={FORM} name="subtitle" label={t('field.subtitle')} value={values.subtitle} error={f.subtitle} maxlength={LIMITS.subtitle} size="long" />
        <TextArea ctx={ctx} form={FORM} name="summary" label={t('field.summary')} hint={t('summaryHint')} value={values.summary ?? ''} error={f.summary} rows={3} />
        <TextArea ctx={ctx} form={FORM} name="body" label={t('field.body')} hint={t('bodyHint')} value={values.body ?? ''} error={f.body} rows={16} required />
        <div class="form-row">
          <TextField ctx={ctx} form={FORM} name="source" label={t('field.source')} value={values.source} error={f.source} maxlength={LIMITS.source} />
          <TextField ctx={ctx} form={FORM} name="author" label={t('field.author')} value={values.author} error={f.author} maxlength={LIMITS.author} />
        </div>
        <TextField ctx={ctx} form={FORM} name="keywords" label={t('field.keywords')} hint={ctx.ta('page.portalAdmin.article.keywordsHint', { max: MAX_KEYWORDS })} value={values.keywords} error={f.keywords} maxlength={MAX_KEYWORDS * (LIMITS.keyword + 1)} size="long" />
        <div class="form-row">
          <TextField ctx={ctx} form={FORM} name="publishAt" type="datetime-local" label={t('field.publishAt')} hint={t('publishAtHint')} value={values.publishAt} error={f.publishAt} />
          <TextField ctx={ctx} form={FORM} name="unpublishAt" type="datetime-local" label={t('field.unpublishAt')} hint={t('unpublishAtHint')} value={values.unpublishAt} error={f.unpublishAt} />
        </div>
        <div class="actions">
          <button type="submit" class="button" name="intent" value="save">
            {ctx.t('page.portalAdmin.article.save')}
          </button>{' '}
          <button type="submit" class="button button-secondary" name="intent" value="preview">
            {ctx.t('page.portalAdmin.article.saveAndPreview')}
          </button>{' '}
          {submitKey ? (
            <button type="submit" class="button button-primary" name="intent" value="submit">
              {ctx.t(submitKey)}
            </button>
          ) : (
            ''
          )}
        </div>
      </form>
    </>
  );
}
