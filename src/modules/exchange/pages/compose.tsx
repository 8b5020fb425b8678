/**
 * The compose form (拟稿): every GB/T 9704 element, recipients and countersigning units picked from
 * the units, the element checks shown as you type (htmx posts the form to …/documents/check and
 * swaps the list of problems) and, without JavaScript, by the 检查要素 button. Saving works
 * without JavaScript as an ordinary form post.
 */
import { Type } from '@sinclair/typebox';
import type { Lang } from '../../../platform/i18n/index.ts';
import { attr, Csrf, describedBy, ErrorSummary, FieldNotes, formList, formText, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { DOC_TYPES, SECRECY, URGENCY } from '../model.ts';
import { bodyAsText, MAX_BODY_CHARS } from '../../../platform/views/rich-text.ts';
import { checkDocumentElements, LIMITS, type DocumentElementsInput, type ElementProblem } from '../elements.ts';
import { MAX_OPINION } from '../commands/decide-step.ts';

const FORM = 'compose';

/** The compose form as posted: text fields, the body up to the body's limit, unit lists. */
export const ComposeFormBody = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: MAX_BODY_CHARS + 1 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: LIMITS.recipients + 1 })]), { maxProperties: 60 });

/** The form's values as the element checks and the commands take them. */
export function formInput(body: unknown): DocumentElementsInput & { body: string } {
  const raw = (body as Record<string, unknown> | undefined)?.body;
  const lines = (name: string) =>
    formText(body, name)
      .split(/[\s,，]+/)
      .filter(Boolean);
  return {
    title: formText(body, 'title'),
    docNumber: formText(body, 'docNumber'),
    issuingUnitId: formText(body, 'issuingUnitId'),
    docType: formText(body, 'docType') || 'notice',
    secrecy: formText(body, 'secrecy') || 'none',
    secrecyPeriod: formText(body, 'secrecyPeriod') || null,
    copyNo: formText(body, 'copyNo') || null,
    urgency: formText(body, 'urgency') || 'normal',
    issuingAuthority: formText(body, 'issuingAuthority') || null,
    signer: formText(body, 'signer') || null,
    mainRecipients: formList(body, 'mainRecipients').filter(Boolean),
    ccRecipients: formList(body, 'ccRecipients').filter(Boolean),
    countersignUnitIds: formList(body, 'countersignUnitIds').filter(Boolean),
    body: typeof raw === 'string' ? raw : '',
    attachments: lines('attachments'),
    writtenDate: formText(body, 'writtenDate'),
    printingUnit: formText(body, 'printingUnit') || null,
    printedDate: formText(body, 'printedDate') || null,
    notes: formText(body, 'notes') || null,
  };
}

/** A stored body shown in the text box: plain paragraphs as lines, richer HTML as it is. */
export function bodyForForm(html: string): string {
  const onlyParagraphs = html.replace(/<\/?p>/g, '').search(/<[a-z/]/i) === -1;
  return onlyParagraphs ? bodyAsText(html) : html;
}

export interface ComposeState {
  /** Where the form posts: …/documents (new) or …/documents/:id/edit. */
  action: string;
  values: DocumentElementsInput & { body: string };
  units: Array<{ id: string; name: string }>;
  /** The units the caller drafts for (the issuing unit is one of them). */
  ownUnits: Array<{ id: string; name: string }>;
  attachments: Array<{ id: string; name: string }>;
  /** Shown under the form: the document's id when it exists (送签 posts there). */
  documentId?: string;
  summary?: string;
  fields?: FieldMessages;
  status?: number;
  /** The element checks to show now (the 检查要素 button without JavaScript); null: none yet. */
  problems?: ElementProblem[] | null;
}


function UnitPicker(props: { ctx: ViewContext; name: string; label: string; hint?: string; error?: string; units: Array<{ id: string; name: string }>; selected: string[]; required?: boolean }) {
  const id = `${FORM}-${props.name}`;
  const chosen = new Set(props.selected);
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      <select class="select" id={attr(id)} name={attr(props.name)} multiple="" size="6" aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy(id, props.hint, props.error)}>
        {props.units.map((u) => (
          <option value={attr(u.id)} selected={chosen.has(u.id)} safe>
            {u.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function TextBox(props: { ctx: ViewContext; name: string; label: string; value: string; hint?: string; error?: string; required?: boolean; rows: number; maxlength: number }) {
  const id = `${FORM}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      <textarea class="input input-long" id={attr(id)} name={attr(props.name)} rows={String(props.rows)} maxlength={props.maxlength} aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy(id, props.hint, props.error)} safe>
        {props.value}
      </textarea>
    </div>
  );
}

/** The list of element problems, swapped in place as the form changes. */
export function ElementChecks({ ctx, problems }: { ctx: ViewContext; problems: ElementProblem[] | null }) {
  return (
    <div id="doc-checks" class="panel" aria-live="polite" data-hx-post="/console/exchange/documents/check" data-hx-trigger="input changed delay:600ms from:closest form, change from:closest form" data-hx-include="closest form" data-hx-target="this" data-hx-select="#doc-checks" data-hx-swap="outerHTML">
      <h2>{ctx.t('page.exchange.compose.checks')}</h2>
      {problems === null ? (
        ''
      ) : problems.length ? (
        <ul class="summary-list">
          {problems.map((p) => (
            <li>
              <a href={attr(`#${FORM}-${p.path}`)}>
                <span safe>{ctx.ta(`page.exchange.field.${p.path}`)}</span>
                {ctx.t('ui.colon')}
                <span safe>{p.message}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p>{ctx.t('page.exchange.compose.checksOk')}</p>
      )}
      <button type="submit" class="button button-secondary button-small" formaction="/console/exchange/documents/check" formnovalidate>
        {ctx.t('page.exchange.compose.checkButton')}
      </button>
    </div>
  );
}

export const checksOf = (values: DocumentElementsInput, lang: Lang) => checkDocumentElements(values, lang);

export function ComposeForm({ ctx, state }: { ctx: ViewContext; state: ComposeState }) {
  const v = state.values;
  const f = state.fields ?? {};
  const label = (name: string) => ctx.ta(`page.exchange.field.${name}`);
  const hint = (key: string) => ctx.ta(`page.exchange.field.${key}`);
  const labels = Object.fromEntries(['title', 'docNumber', 'docType', 'secrecy', 'secrecyPeriod', 'copyNo', 'urgency', 'issuingAuthority', 'signer', 'mainRecipients', 'ccRecipients', 'countersignUnitIds', 'body', 'attachments', 'writtenDate', 'printingUnit', 'printedDate', 'notes'].map((n) => [n, label(n)]));
  const options = (values: readonly string[], prefix: string) => values.map((value) => ({ value, label: ctx.ta(`${prefix}.${value}`) }));
  const text = (name: keyof typeof v) => (typeof v[name] === 'string' ? (v[name] as string) : '');
  return (
    <>
      <ErrorSummary ctx={ctx} form={FORM} summary={state.summary} fields={state.fields} labels={labels} status={state.status} />
      <form method="post" action={attr(state.action)} class="form form-wide" novalidate>
        <Csrf ctx={ctx} />
        <input type="hidden" name="_action" value={attr(state.action)} />
        {state.ownUnits.length > 1 ? (
          <SelectField ctx={ctx} form={FORM} name="issuingUnitId" label={label('issuingAuthority')} value={text('issuingUnitId')} options={state.ownUnits.map((u) => ({ value: u.id, label: u.name }))} required />
        ) : (
          <input type="hidden" name="issuingUnitId" value={attr(text('issuingUnitId'))} />
        )}
        <section class="panel" aria-labelledby="compose-header">
          <h2 id="compose-header">{ctx.t('page.exchange.compose.section.header')}</h2>
          <div class="form-row">
            <TextField ctx={ctx} form={FORM} name="copyNo" label={label('copyNo')} value={text('copyNo')} hint={hint('copyNoHint')} error={f.copyNo} size="short" maxlength={6} inputmode="numeric" />
            <SelectField ctx={ctx} form={FORM} name="secrecy" label={label('secrecy')} value={text('secrecy')} options={options(SECRECY, 'exchange.secrecy')} error={f.secrecy} required />
            <TextField ctx={ctx} form={FORM} name="secrecyPeriod" label={label('secrecyPeriod')} value={text('secrecyPeriod')} hint={hint('secrecyPeriodHint')} error={f.secrecyPeriod} size="short" maxlength={10} />
            <SelectField ctx={ctx} form={FORM} name="urgency" label={label('urgency')} value={text('urgency')} options={options(URGENCY, 'exchange.urgency')} error={f.urgency} required />
          </div>
          <div class="form-row">
            <TextField ctx={ctx} form={FORM} name="issuingAuthority" label={label('issuingAuthority')} value={text('issuingAuthority')} hint={hint('issuingAuthorityHint')} error={f.issuingAuthority} maxlength={LIMITS.issuingAuthority} />
            <TextField ctx={ctx} form={FORM} name="docNumber" label={label('docNumber')} value={text('docNumber')} hint={hint('docNumberHint')} error={f.docNumber} maxlength={LIMITS.docNumber} required />
            <TextField ctx={ctx} form={FORM} name="signer" label={label('signer')} value={text('signer')} hint={hint('signerHint')} error={f.signer} size="short" maxlength={LIMITS.signer} />
          </div>
        </section>
        <section class="panel" aria-labelledby="compose-main">
          <h2 id="compose-main">{ctx.t('page.exchange.compose.section.main')}</h2>
          <SelectField ctx={ctx} form={FORM} name="docType" label={label('docType')} value={text('docType')} options={options(DOC_TYPES, 'exchange.docType')} error={f.docType} required />
          <TextField ctx={ctx} form={FORM} name="title" label={label('title')} value={text('title')} error={f.title} maxlength={LIMITS.title} size="long" required />
          <UnitPicker ctx={ctx} name="mainRecipients" label={label('mainRecipients')} hint={hint('recipientsHint')} error={f.mainRecipients} units={state.units} selected={v.mainRecipients ?? []} required />
          <TextBox ctx={ctx} name="body" label={label('body')} value={v.body} hint={hint('bodyHint')} error={f.body} rows={14} maxlength={MAX_BODY_CHARS} required />
          {state.attachments.length ? (
            <ul class="summary-list">
              {state.attachments.map((a) => (
                <li safe>{a.name}</li>
              ))}
            </ul>
          ) : (
            ''
          )}
          <TextBox ctx={ctx} name="attachments" label={label('attachments')} value={(v.attachments ?? []).join('\n')} hint={hint('attachmentsHint')} error={f.attachments} rows={2} maxlength={4000} />
          <TextField ctx={ctx} form={FORM} name="writtenDate" label={label('writtenDate')} value={text('writtenDate')} error={f.writtenDate} type="date" size="short" required />
          <TextBox ctx={ctx} name="notes" label={label('notes')} value={text('notes')} error={f.notes} rows={2} maxlength={LIMITS.notes} />
        </section>
        <section class="panel" aria-labelledby="compose-footer">
          <h2 id="compose-footer">{ctx.t('page.exchange.compose.section.footer')}</h2>
          <UnitPicker ctx={ctx} name="ccRecipients" label={label('ccRecipients')} hint={hint('recipientsHint')} error={f.ccRecipients} units={state.units} selected={v.ccRecipients ?? []} />
          <div class="form-row">
            <TextField ctx={ctx} form={FORM} name="printingUnit" label={label('printingUnit')} value={text('printingUnit')} error={f.printingUnit} maxlength={LIMITS.printingUnit} />
            <TextField ctx={ctx} form={FORM} name="printedDate" label={label('printedDate')} value={text('printedDate')} error={f.printedDate} type="date" size="short" />
          </div>
        </section>
        <section class="panel" aria-labelledby="compose-signoff">
          <h2 id="compose-signoff">{ctx.t('page.exchange.compose.section.signoff')}</h2>
          <UnitPicker ctx={ctx} name="countersignUnitIds" label={label('countersignUnitIds')} hint={hint('countersignHint')} error={f.countersignUnitIds} units={state.units} selected={v.countersignUnitIds ?? []} />
        </section>
        <ElementChecks ctx={ctx} problems={state.problems ?? null} />
        <div class="actions">
          <button type="submit" class="button">
            {ctx.t('page.exchange.compose.save')}
          </button>
        </div>
      </form>
      {state.documentId ? <SubmitForm ctx={ctx} documentId={state.documentId} /> : ''}
    </>
  );
}

/** 送签: hands the saved draft to sign-off, with an optional word to the next step. */
function SubmitForm({ ctx, documentId }: { ctx: ViewContext; documentId: string }) {
  return (
    <form method="post" action={attr(`/console/exchange/documents/${documentId}/submit`)} class="form panel">
      <Csrf ctx={ctx} />
      <div class="field">
        <label for="submit-opinion">{ctx.t('page.exchange.field.opinion')}</label>
        <textarea class="input input-long" id="submit-opinion" name="opinion" rows="2" maxlength={MAX_OPINION}></textarea>
      </div>
      <div class="actions">
        <button type="submit" class="button">
          {ctx.t('page.exchange.signoff.submit')}
        </button>
      </div>
    </form>
  );
}

