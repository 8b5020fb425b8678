import Html, { type Children } from '@kitajs/html';
import type { ViewContext } from './context.ts';
import { withQuery } from './context.ts';
import type { FieldMessages } from './forms.ts';

/** Attribute text: kitajs only quotes `"`, so `&` and `<` are escaped here to round-trip exactly. */
export const attr = (value: string | number | null | undefined): string => Html.escapeHtml(value ?? '');

export function SkipLink({ ctx }: { ctx: ViewContext }) {
  return (
    <a class="skip-link" href="#main">
      {ctx.t('ui.skipToContent')}
    </a>
  );
}

export interface Crumb {
  href?: string;
  label: JSX.Element;
}

export function Breadcrumb({ ctx, items }: { ctx: ViewContext; items: Crumb[] }) {
  return (
    <nav class="breadcrumb" aria-label={ctx.ta('ui.breadcrumb')}>
      <ol>
        {items.map(({ href, label }, i) =>
          href && i < items.length - 1 ? (
            <li>
              <a href={attr(href)}>{label}</a>
            </li>
          ) : (
            <li aria-current="page">{label}</li>
          ),
        )}
      </ol>
    </nav>
  );
}

export function FlashMessage({ ctx }: { ctx: ViewContext }) {
  const flash = ctx.flash;
  if (!flash) return '';
  return (
    <div class={`notice notice-${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
      <p>{ctx.t(flash.key, flash.params)}</p>
    </div>
  );
}

export function Notice({ kind, title, children }: { kind: 'success' | 'info' | 'warning' | 'error'; title?: JSX.Element; children?: Children }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : undefined}>
      {title ? <p class="notice-title">{title}</p> : ''}
      {children ?? ''}
    </div>
  );
}

/**
 * A refused query of a report page (statistics, registers): what was wrong and, for each field,
 * why. A report has no form to send back, so the messages are listed rather than linked.
 */
export function RefusalNotice({ failure }: { failure: { summary: string; fields: FieldMessages } }) {
  const messages = Object.values(failure.fields);
  return (
    <Notice kind="error">
      <p safe>{failure.summary}</p>
      {messages.length ? (
        <ul>
          {messages.map((message) => (
            <li safe>{message}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </Notice>
  );
}

const fieldId = (form: string, name: string) => `${form}-${name}`;

/**
 * The list of what is wrong, at the top of a refused form, each entry linking to its field.
 * It takes the focus (app.js) so screen readers announce it.
 */
/** Refusals that are not about what was typed get a title of their own, not “please correct the following”. */
const SUMMARY_TITLES: Record<number, string> = { 404: 'ui.errorSummaryTitle.notFound', 409: 'ui.errorSummaryTitle.conflict', 423: 'ui.errorSummaryTitle.locked', 429: 'ui.errorSummaryTitle.tooMany' };

export function ErrorSummary({ ctx, form, summary, fields, labels, status }: { ctx: ViewContext; form: string; summary?: string; fields?: FieldMessages; labels?: Record<string, string>; status?: number }) {
  const entries = Object.entries(fields ?? {});
  if (!summary && entries.length === 0) return '';
  const title = (status && !entries.length && SUMMARY_TITLES[status]) || 'ui.errorSummaryTitle';
  return (
    <div class="error-summary" role="alert" tabindex="-1" data-focus-on-load>
      <h2 class="error-summary-title">{ctx.t(title)}</h2>
      {summary ? <p safe>{summary}</p> : ''}
      {entries.length ? (
        <ul>
          {entries.map(([name, message]) =>
            labels?.[name] ? (
              <li>
                <a href={`#${attr(fieldId(form, name))}`}>
                  <span safe>{labels[name]}</span>
                  {ctx.t('ui.colon')}
                  <span safe>{message}</span>
                </a>
              </li>
            ) : (
              <li safe>{message}</li>
            ),
          )}
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

interface FieldProps {
  form: string;
  name: string;
  label: string;
  value?: string | null;
  error?: string;
  hint?: string;
  required?: boolean;
  ctx: ViewContext;
}

/** The ids a field's aria-describedby names: its hint and its error, when shown. */
export function describedBy(id: string, hint?: string, error?: string) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function FieldLabel({ id, label, required, ctx }: { id: string; label: string; required?: boolean; ctx: ViewContext }) {
  return (
    <label for={attr(id)}>
      <span safe>{label}</span>
      {required ? <span class="required">{ctx.t('ui.required')}</span> : ''}
    </label>
  );
}

/** A field's hint and error, with the ids describedBy names. */
export function FieldNotes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p class="field-hint" id={`${attr(id)}-hint`} safe>
          {hint}
        </p>
      ) : (
        ''
      )}
      {error ? (
        <p class="field-error" id={`${attr(id)}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
    </>
  );
}

export function TextField(
  props: FieldProps & {
    type?: 'text' | 'password' | 'email' | 'tel' | 'search' | 'number' | 'date' | 'datetime-local';
    autocomplete?: string;
    maxlength?: number;
    inputmode?: string;
    size?: 'short' | 'medium' | 'long';
    autofocus?: boolean;
    pattern?: string;
  },
) {
  const id = fieldId(props.form, props.name);
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <FieldLabel id={id} label={props.label} required={props.required} ctx={props.ctx} />
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      <input
        class={`input input-${props.size ?? 'medium'}`}
        id={attr(id)}
        name={attr(props.name)}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : attr(props.value)}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        inputmode={props.inputmode}
        pattern={props.pattern}
        required={props.required}
        autofocus={props.autofocus}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: FieldProps & { options: Option[]; placeholder?: string }) {
  const id = fieldId(props.form, props.name);
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <FieldLabel id={id} label={props.label} required={props.required} ctx={props.ctx} />
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      <select
        class="select"
        id={attr(id)}
        name={attr(props.name)}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.placeholder !== undefined ? (
          <option value="" selected={!props.value}>
            {Html.escapeHtml(props.placeholder)}
          </option>
        ) : (
          ''
        )}
        {props.options.map((o) => (
          <option value={attr(o.value)} selected={o.value === props.value}>
            {Html.escapeHtml(o.label)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The CSRF token every form posted with the session cookie carries. */
export function Csrf({ ctx }: { ctx: ViewContext }) {
  return ctx.csrfToken ? <input type="hidden" name="_csrf" value={attr(ctx.csrfToken)} /> : '';
}

/** A button that posts a small form (end a session, disable an account...). */
export function PostButton({ ctx, action, label, fields, variant, describedBy: described }: { ctx: ViewContext; action: string; label: string; fields?: Record<string, string>; variant?: 'danger' | 'secondary' | 'link'; describedBy?: string }) {
  return (
    <form method="post" action={attr(action)} class="inline-form">
      <Csrf ctx={ctx} />
      {Object.entries(fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={attr(name)} value={attr(value)} />
      ))}
      <button type="submit" class={`button button-${variant ?? 'secondary'} button-small`} aria-describedby={described ? attr(described) : undefined}>
        {Html.escapeHtml(label)}
      </button>
    </form>
  );
}

/** A table with a caption, in a region that scrolls sideways on narrow screens and takes keyboard focus. */
/**
 * A table in a region that scrolls sideways when it must. `stack`: on a phone its rows become
 * blocks, one cell under the other (cells say what they are with `data-label`), so that a row's
 * actions are not hidden off to the right.
 */
export function DataTable({ caption, head, children, id, stack }: { caption: JSX.Element; head: JSX.Element[]; children: Children; id: string; stack?: boolean }) {
  const captionId = `${id}-caption`;
  return (
    <div class={stack ? 'table-wrap table-stack' : 'table-wrap'} id={attr(id)} role="region" aria-labelledby={attr(captionId)} tabindex="0">
      <table class="table">
        <caption id={attr(captionId)}>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The one row of a table with nothing in it, across all its columns. */
export function EmptyRow({ columns, children }: { columns: number; children: Children }) {
  return (
    <tr>
      <td colspan={String(columns)} class="muted">
        {children}
      </td>
    </tr>
  );
}

export function EmptyState({ children }: { children: JSX.Element }) {
  return <p class="empty-state">{children}</p>;
}

/** Keyset pagination: the first page and the next one (cursors only go forward). */
export function Pagination({ ctx, nextCursor, hasPrevious }: { ctx: ViewContext; nextCursor: string | null; hasPrevious: boolean }) {
  if (!nextCursor && !hasPrevious) return '';
  return (
    <nav class="pagination" aria-label={ctx.ta('ui.pagination')}>
      <ul>
        {hasPrevious ? (
          <li>
            <a href={attr(withQuery(ctx.path, ctx.query, { cursor: null, lang: null, display: null }))}>{ctx.t('ui.firstPage')}</a>
          </li>
        ) : (
          ''
        )}
        {nextCursor ? (
          <li>
            <a href={attr(withQuery(ctx.path, ctx.query, { cursor: nextCursor, lang: null, display: null }))} rel="next">
              {ctx.t('ui.nextPage')}
            </a>
          </li>
        ) : (
          ''
        )}
      </ul>
    </nav>
  );
}

/** Switches between Chinese and English; each name is written in its own language. */
export function LangSwitch({ ctx }: { ctx: ViewContext }) {
  const other = ctx.lang === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <a class="tool-link" href={attr(withQuery(ctx.path, ctx.query, { lang: other, display: null, cursor: null }))} lang={other} hreflang={other}>
      {other === 'en' ? 'English' : '中文'}
    </a>
  );
}

/** The large-text, high-contrast mode for older users (适老化). */
export function DisplaySwitch({ ctx }: { ctx: ViewContext }) {
  const large = ctx.display === 'large';
  return (
    <a class="tool-link" href={attr(withQuery(ctx.path, ctx.query, { display: large ? 'standard' : 'large', lang: null, cursor: null }))}>
      {large ? ctx.t('ui.displayStandard') : ctx.t('ui.displayLarge')}
    </a>
  );
}

export function PageHeading({ title, lead }: { title: JSX.Element; lead?: JSX.Element }) {
  return (
    <div class="page-heading">
      <h1>{title}</h1>
      {lead ? <p class="lead">{lead}</p> : ''}
    </div>
  );
}

/**
 * The attributes of a search box whose results follow the typing: htmx fetches `url` with the
 * form's fields and swaps only the element `#resultsId`, keeping the address in step; without
 * JavaScript the form submits as usual. Written `data-hx-*` so the pages stay valid HTML.
 */
export function liveSearchAttributes(url: string, resultsId: string): Record<string, string> {
  return {
    'data-hx-get': url,
    'data-hx-trigger': 'input changed delay:400ms, search',
    'data-hx-target': `#${resultsId}`,
    'data-hx-select': `#${resultsId}`,
    'data-hx-swap': 'outerHTML',
    'data-hx-push-url': 'true',
    'data-hx-include': 'closest form',
  };
}
