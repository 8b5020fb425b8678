import Html, { type Children } from '@kitajs/html';
import { attr, Csrf, formatDateTime, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import type { Item } from '../catalogue.ts';
import type { CaseState, ItemStatus } from '../model.ts';
import type { ApplicationView } from '../application-views.ts';
import { yuan } from './editor.ts';

/** A moment as shown to people (escaped: it is element content). */
export const dateOf = (value: string | Date | null | undefined, ctx: ViewContext): JSX.Element => Html.escapeHtml(value ? formatDateTime(value, ctx.lang) : '—');

/** Text with line breaks as paragraphs (legal bases and conditions are written in lines). */
export function Paragraphs({ text }: { text: string }) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return (
    <>
      {lines.map((line) => (
        <p safe>{line}</p>
      ))}
    </>
  );
}

/** The service area's own navigation on the portal: the hall, my applications, progress, results. */
export function ServiceNav({ ctx }: { ctx: ViewContext }) {
  const links: Array<{ href: string; key: string }> = [
    { href: '/services', key: 'page.approval.hall.title' },
    { href: '/services/mine', key: 'page.approval.mine.title' },
    { href: '/services/progress', key: 'page.approval.progress.title' },
    { href: '/services/results', key: 'page.approval.results.title' },
    { href: '/services/certificates', key: 'page.approval.certificate.checkTitle' },
  ];
  return (
    <nav class="panel service-nav" aria-label={ctx.ta('page.approval.hall.navLabel')}>
      <ul class="actions">
        {links.map((link) => (
          <li>
            <a href={link.href} aria-current={ctx.path === link.href ? 'page' : undefined}>
              {ctx.t(link.key)}
            </a>
          </li>
        ))}
        {ctx.principal ? (
          ''
        ) : (
          <>
            <li>
              <a href={attr(`/login?next=${encodeURIComponent(ctx.path)}`)}>{ctx.t('ui.login')}</a>
            </li>
            <li>
              <a href={attr(`/register?next=${encodeURIComponent(ctx.path)}`)}>{ctx.t('page.approval.register.title')}</a>
            </li>
          </>
        )}
      </ul>
    </nav>
  );
}

const STATE_CLASS: Record<CaseState, string> = {
  submitted: 'tag tag-workday',
  accepted: 'tag tag-workday',
  in_review: 'tag tag-workday',
  correction_requested: 'badge',
  approved: 'tag tag-ok',
  rejected: 'tag tag-off',
  withdrawn: 'tag',
};

export function StateTag({ ctx, state }: { ctx: ViewContext; state: string }) {
  return <span class={STATE_CLASS[state as CaseState] ?? 'tag'}>{ctx.t(`page.approval.state.${state}`)}</span>;
}

/** The first rows of a case's summary list, the same for the applicant and the staff: state, receipt number, item version. */
/** A case's state, and whether its clock stands still, as one row of a description list. */
export function CaseStateRow({ ctx, state, clockStopped }: { ctx: ViewContext; state: CaseState; clockStopped: string | null }) {
  return (
    <>
      <dt>{ctx.t('page.approval.case.state')}</dt>
      <dd>
        <StateTag ctx={ctx} state={state} />
        {clockStopped ? <span class="muted"> {ctx.t(`page.approval.stop.${clockStopped}`)}</span> : ''}
      </dd>
    </>
  );
}

export function CaseIdentity({ ctx, view }: { ctx: ViewContext; view: Pick<ApplicationView, 'state' | 'clockStopped' | 'receiptNo' | 'itemId' | 'itemName' | 'itemVersion'> }) {
  return (
    <>
      <CaseStateRow ctx={ctx} state={view.state} clockStopped={view.clockStopped} />
      <dt>{ctx.t('page.approval.case.receiptNo')}</dt>
      <dd class="mono" safe>
        {view.receiptNo}
      </dd>
      <dt>{ctx.t('page.approval.guide.name')}</dt>
      <dd>
        <a href={`/services/items/${attr(view.itemId)}`} safe>
          {view.itemName}
        </a>{' '}
        {ctx.t('page.approval.guide.version', { version: view.itemVersion })}
      </dd>
    </>
  );
}

/** The console's catalogue list, the first crumb of every catalogue page. */
export const itemsCrumb = (ctx: ViewContext) => ({ href: '/console/approval/items', label: ctx.t('page.approval.items.title') });

export function ItemStatusTag({ ctx, status }: { ctx: ViewContext; status: ItemStatus }) {
  const cls = status === 'published' ? 'tag tag-ok' : status === 'draft' ? 'badge' : status === 'withdrawn' ? 'tag tag-off' : 'tag';
  return <span class={cls}>{ctx.t(`page.approval.itemStatus.${status}`)}</span>;
}

/** The columns every table of items starts with: code, name (linked to the item's console page), version, status. */
export const itemHead = (ctx: ViewContext) => [ctx.t('page.approval.guide.code'), ctx.t('page.approval.guide.name'), ctx.t('page.approval.items.version'), ctx.t('page.approval.items.status')];

export function ItemCells({ ctx, item }: { ctx: ViewContext; item: Pick<Item, 'id' | 'code' | 'name' | 'version' | 'status'> }) {
  return (
    <>
      <td class="mono" safe>
        {item.code}
      </td>
      <td>
        <a href={`/console/approval/items/${attr(item.id)}`} safe>
          {item.name}
        </a>
      </td>
      <td>{item.version}</td>
      <td>
        <ItemStatusTag ctx={ctx} status={item.status} />
      </td>
    </>
  );
}

const STEP_CLASS: Record<string, string> = { open: 'badge', approved: 'tag tag-ok', rejected: 'tag tag-off', waiting: 'tag', skipped: 'tag' };

export function StepStateTag({ ctx, state }: { ctx: ViewContext; state: string }) {
  return <span class={STEP_CLASS[state] ?? 'tag'}>{ctx.t(`page.approval.stepState.${state}`)}</span>;
}

/**
 * Working days left on a task, in words as well as colour: overdue red, due within a day amber,
 * otherwise green; a stopped clock says so.
 */
export function DeadlineTag({ ctx, remaining, suspended }: { ctx: ViewContext; remaining: number; suspended?: boolean }) {
  if (suspended) return <span class="tag tag-workday">{ctx.t('page.approval.deadline.stopped')}</span>;
  if (remaining < 0) return <span class="tag tag-off">{ctx.t('page.approval.deadline.overdue', { days: -remaining })}</span>;
  if (remaining === 0) return <span class="badge">{ctx.t('page.approval.deadline.today')}</span>;
  if (remaining <= 1) return <span class="badge">{ctx.t('page.approval.deadline.left', { days: remaining })}</span>;
  return <span class="tag tag-ok">{ctx.t('page.approval.deadline.left', { days: remaining })}</span>;
}

export function feeText(ctx: ViewContext, fee: Item['fee']): string {
  if (!fee.charged) return ctx.ta('page.approval.guide.free');
  return ctx.ta('page.approval.guide.charged', { amount: fee.amountFen !== undefined ? yuan(fee.amountFen) : '—' });
}

/** The item guide (办事指南): every standard element, the material list and the process. */
export function Guide({ ctx, item, units, headingLevel = 2 }: { ctx: ViewContext; item: Item; units: Map<string, string>; headingLevel?: 2 | 3 }) {
  const H = ({ id, children }: { id: string; children: Children }) => (headingLevel === 2 ? <h2 id={id}>{children}</h2> : <h3 id={id}>{children}</h3>);
  return (
    <div class="guide">
      <section class="panel" aria-labelledby="guide-basic">
        <H id="guide-basic">{ctx.t('page.approval.guide.basic')}</H>
        <dl class="stat-list">
          <dt>{ctx.t('page.approval.guide.name')}</dt>
          <dd safe>{item.name}</dd>
          <dt>{ctx.t('page.approval.guide.code')}</dt>
          <dd>
            <span class="mono" safe>
              {item.code}
            </span>{' '}
            {ctx.t('page.approval.guide.version', { version: item.version })}
          </dd>
          <dt>{ctx.t('page.approval.guide.kind')}</dt>
          <dd>{ctx.t(`page.approval.kind.${item.kind}`)}</dd>
          <dt>{ctx.t('page.approval.guide.unit')}</dt>
          <dd safe>{units.get(item.unitId) ?? item.unitId}</dd>
          <dt>{ctx.t('page.approval.guide.statutoryDays')}</dt>
          <dd>{ctx.t('page.approval.guide.workingDays', { days: item.statutoryDays })}</dd>
          <dt>{ctx.t('page.approval.guide.promisedDays')}</dt>
          <dd>{ctx.t('page.approval.guide.workingDays', { days: item.promisedDays })}</dd>
          <dt>{ctx.t('page.approval.guide.fee')}</dt>
          <dd>
            {Html.escapeHtml(feeText(ctx, item.fee))}
            {item.fee.basis ? (
              <>
                {' '}
                {ctx.t('page.approval.guide.feeBasis')}
                <span safe>{item.fee.basis}</span>
              </>
            ) : (
              ''
            )}
          </dd>
          <dt>{ctx.t('page.approval.guide.result')}</dt>
          <dd safe>{item.resultName}</dd>
          <dt>{ctx.t('page.approval.guide.maxVisits')}</dt>
          <dd>{item.maxVisits === 0 ? ctx.t('page.approval.guide.noVisit') : ctx.t('page.approval.guide.visits', { count: item.maxVisits })}</dd>
          <dt>{ctx.t('page.approval.guide.consultPhone')}</dt>
          <dd class="mono" safe>
            {item.consultPhone}
          </dd>
          <dt>{ctx.t('page.approval.guide.complaintPhone')}</dt>
          <dd class="mono" safe>
            {item.complaintPhone}
          </dd>
          {item.themes.length ? (
            <>
              <dt>{ctx.t('page.approval.guide.themes')}</dt>
              <dd safe>{item.themes.join('、')}</dd>
            </>
          ) : (
            ''
          )}
          {item.lifeEvents.length ? (
            <>
              <dt>{ctx.t('page.approval.guide.lifeEvents')}</dt>
              <dd safe>{item.lifeEvents.join('、')}</dd>
            </>
          ) : (
            ''
          )}
        </dl>
      </section>
      <section class="panel" aria-labelledby="guide-basis">
        <H id="guide-basis">{ctx.t('page.approval.guide.legalBasis')}</H>
        <Paragraphs text={item.legalBasis} />
      </section>
      <section class="panel" aria-labelledby="guide-conditions">
        <H id="guide-conditions">{ctx.t('page.approval.guide.conditions')}</H>
        <Paragraphs text={item.conditions} />
      </section>
      <section class="panel" aria-labelledby="guide-materials">
        <H id="guide-materials">{ctx.t('page.approval.guide.materials')}</H>
        {item.materials.length ? (
          <div class="table-wrap" role="region" aria-labelledby="guide-materials-caption" tabindex="0">
            <table class="table">
              <caption id="guide-materials-caption">{ctx.t('page.approval.guide.materialsCaption', { count: item.materials.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{ctx.t('page.approval.guide.no')}</th>
                  <th scope="col">{ctx.t('page.approval.guide.materialName')}</th>
                  <th scope="col">{ctx.t('page.approval.guide.required')}</th>
                  <th scope="col">{ctx.t('page.approval.guide.copies')}</th>
                  <th scope="col">{ctx.t('page.approval.guide.pending')}</th>
                </tr>
              </thead>
              <tbody>
                {item.materials.map((m, i) => (
                  <tr>
                    <td>{i + 1}</td>
                    <td>
                      <span safe>{m.name}</span>
                      {m.description ? (
                        <p class="muted" safe>
                          {m.description}
                        </p>
                      ) : (
                        ''
                      )}
                    </td>
                    <td>{m.required ? ctx.t('page.approval.guide.requiredYes') : ctx.t('page.approval.guide.requiredNo')}</td>
                    <td>{m.copies}</td>
                    <td>{m.allowPending ? ctx.t('page.approval.guide.pendingYes') : ctx.t('page.approval.guide.pendingNo')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">{ctx.t('page.approval.guide.noMaterials')}</p>
        )}
      </section>
      <section class="panel" aria-labelledby="guide-process">
        <H id="guide-process">{ctx.t('page.approval.guide.process')}</H>
        <ProcessList ctx={ctx} process={item.process} units={units} />
      </section>
    </div>
  );
}

export function ProcessList({ ctx, process, units }: { ctx: ViewContext; process: Item['process']; units: Map<string, string> }) {
  return (
    <ol class="process-list">
      {process.stages.map((stage) => {
        const steps = 'parallel' in stage ? stage.parallel : [stage];
        return (
          <li>
            {'parallel' in stage ? <p class="muted">{ctx.t(stage.mode === 'any' ? 'page.approval.guide.parallelAny' : 'page.approval.guide.parallelAll', { count: steps.length })}</p> : ''}
            <ul>
              {steps.map((step) => (
                <li>
                  <strong safe>{step.name}</strong>
                  {ctx.t('page.approval.guide.stepBy', { unit: units.get(step.unitId) ?? step.unitId, role: ctx.ta(`page.approval.role.${step.role}`), days: step.days })}
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

// ---------------------------------------------------------------- form controls not in the shared set

function describedBy(id: string, hint?: string, error?: string) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function Notes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
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

export function TextArea(props: { ctx: ViewContext; form: string; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; maxlength?: number }) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <Notes id={id} hint={props.hint} error={props.error} />
      <textarea
        class="input input-long"
        id={attr(id)}
        name={attr(props.name)}
        rows={String(props.rows ?? 4)}
        maxlength={props.maxlength}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        safe
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export function Checkbox(props: { form: string; name: string; label: string; checked: boolean; error?: string; hint?: string; value?: string }) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <Notes id={id} hint={props.hint} error={props.error} />
      <div class="checkbox">
        <input type="checkbox" id={attr(id)} name={attr(props.name)} value={attr(props.value ?? 'on')} checked={props.checked} aria-describedby={describedBy(id, props.hint, props.error)} />
        <label for={attr(id)} safe>
          {props.label}
        </label>
      </div>
    </div>
  );
}

export function RadioGroup(props: { ctx: ViewContext; form: string; name: string; legend: string; value: string; options: Array<{ value: string; label: string; hint?: string }>; error?: string; required?: boolean }) {
  const id = `${props.form}-${props.name}`;
  return (
    <fieldset class={['field', props.error ? 'field-invalid' : '']} id={attr(id)} aria-describedby={props.error ? `${attr(id)}-error` : undefined}>
      <legend class="fieldset-legend">
        <span safe>{props.legend}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </legend>
      <Notes id={id} error={props.error} />
      {props.options.map((o, i) => (
        <div class="checkbox">
          <input type="radio" id={`${attr(id)}-${i}`} name={attr(props.name)} value={attr(o.value)} checked={o.value === props.value} />
          <label for={`${attr(id)}-${i}`}>
            <span safe>{o.label}</span>
            {o.hint ? (
              <span class="muted" safe>
                {` ${o.hint}`}
              </span>
            ) : (
              ''
            )}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

const ACCEPT = '.pdf,.ofd,.jpg,.jpeg,.png,.gif,.tif,.tiff,.doc,.docx,.wps,.xls,.xlsx,.et,.zip,.txt,.csv';

export function FileField(props: {
  ctx: ViewContext;
  form: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  kept?: { id: string; name: string } | null;
  keptName?: string;
  /** The file types offered by the browser's picker (the server decides from the content). */
  accept?: string;
}) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <Notes id={id} hint={props.hint} error={props.error} />
      {props.kept ? (
        <p class="muted" id={`${attr(id)}-kept`}>
          {props.ctx.t('page.approval.apply.kept', { name: props.kept.name })}
          <input type="hidden" name={attr(props.keptName ?? '')} value={attr(props.kept.id)} />
        </p>
      ) : (
        ''
      )}
      <input
        class="input input-long"
        type="file"
        id={attr(id)}
        name={attr(props.name)}
        accept={attr(props.accept ?? ACCEPT)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={[describedBy(id, props.hint, props.error), props.kept ? `${id}-kept` : ''].filter(Boolean).join(' ') || undefined}
      />
    </div>
  );
}

// ---------------------------------------------------------------- the application form (online and at the window)

export interface ApplicationValues {
  kind: 'person' | 'enterprise';
  name: string;
  idNumber: string;
  creditCode: string;
  phone: string;
  form: Record<string, string>;
  /** Files already uploaded with an earlier, refused attempt, by material key. */
  kept: Record<string, { id: string; name: string }>;
}

export const emptyApplication = (name = ''): ApplicationValues => ({ kind: 'person', name, idNumber: '', creditCode: '', phone: '', form: {}, kept: {} });

/** Labels of the application form's inputs, for the error summary. */
export function applicationLabels(ctx: ViewContext, item: Item): Record<string, string> {
  const labels: Record<string, string> = {
    'applicant.kind': ctx.ta('page.approval.apply.kind'),
    'applicant.name': ctx.ta('page.approval.apply.name'),
    'applicant.idNumber': ctx.ta('page.approval.apply.idNumber'),
    'applicant.creditCode': ctx.ta('page.approval.apply.creditCode'),
    'applicant.phone': ctx.ta('page.approval.apply.phone'),
  };
  for (const f of item.formFields) labels[`form.${f.key}`] = f.label;
  for (const m of item.materials) labels[`file.${m.key}`] = m.name;
  return labels;
}

/**
 * The application form: the applicant, the item's own fields, one file input per material. It
 * posts multipart/form-data to `action`; the CSRF field comes first so files after it are taken.
 */
export function ApplicationForm({
  ctx,
  form,
  action,
  item,
  values,
  fields,
  submission,
  submitLabel,
}: {
  ctx: ViewContext;
  form: string;
  action: string;
  item: Item;
  values: ApplicationValues;
  fields?: FieldMessages;
  submission: string;
  submitLabel: JSX.Element;
}) {
  const labels = applicationLabels(ctx, item);
  return (
    <form method="post" action={attr(action)} enctype="multipart/form-data" class="form form-wide" novalidate>
      <Csrf ctx={ctx} />
      <input type="hidden" name="_submission" value={attr(submission)} />
      <fieldset class="panel">
        <legend class="fieldset-legend">{ctx.t('page.approval.apply.applicant')}</legend>
        <RadioGroup
          ctx={ctx}
          form={form}
          name="applicant.kind"
          legend={labels['applicant.kind']}
          value={values.kind}
          error={fields?.['applicant.kind']}
          options={[
            { value: 'person', label: ctx.ta('page.approval.apply.person') },
            { value: 'enterprise', label: ctx.ta('page.approval.apply.enterprise') },
          ]}
          required
        />
        <TextField ctx={ctx} form={form} name="applicant.name" label={labels['applicant.name']} hint={ctx.ta('page.approval.apply.nameHint')} value={values.name} error={fields?.['applicant.name']} maxlength={200} required size="long" autocomplete="name" />
        <div class="form-row">
          <TextField ctx={ctx} form={form} name="applicant.idNumber" label={labels['applicant.idNumber']} hint={ctx.ta('page.approval.apply.idNumberHint')} value={values.idNumber} error={fields?.['applicant.idNumber']} maxlength={18} size="medium" />
          <TextField ctx={ctx} form={form} name="applicant.creditCode" label={labels['applicant.creditCode']} hint={ctx.ta('page.approval.apply.creditCodeHint')} value={values.creditCode} error={fields?.['applicant.creditCode']} maxlength={18} size="medium" />
        </div>
        <TextField ctx={ctx} form={form} name="applicant.phone" type="tel" label={labels['applicant.phone']} hint={ctx.ta('page.approval.apply.phoneHint')} value={values.phone} error={fields?.['applicant.phone']} maxlength={20} required size="medium" autocomplete="tel" inputmode="tel" />
      </fieldset>
      {item.formFields.length ? (
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.apply.formData')}</legend>
          {item.formFields.map((f) => {
            const name = `form.${f.key}`;
            const common = { ctx, form, name, label: f.label, value: values.form[f.key] ?? '', error: fields?.[name], required: f.required };
            if (f.type === 'textarea') return <TextArea {...common} maxlength={f.maxLength ?? 5000} />;
            if (f.type === 'select') return <SelectField {...common} options={(f.options ?? []).map((o) => ({ value: o, label: o }))} placeholder={ctx.ta('page.approval.apply.choose')} />;
            if (f.type === 'date') return <TextField {...common} type="date" size="short" />;
            if (f.type === 'number') return <TextField {...common} inputmode="decimal" size="short" maxlength={30} />;
            return <TextField {...common} maxlength={f.maxLength ?? 200} size="long" />;
          })}
        </fieldset>
      ) : (
        ''
      )}
      {item.materials.length ? (
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.apply.materials')}</legend>
          <p class="field-hint">{ctx.t('page.approval.apply.materialsHint')}</p>
          {item.materials.map((m) => (
            <FileField
              ctx={ctx}
              form={form}
              name={`file.${m.key}`}
              keptName={`kept.${m.key}`}
              label={m.name}
              hint={ctx.ta(m.required ? (m.allowPending ? 'page.approval.apply.materialPending' : 'page.approval.apply.materialRequired') : 'page.approval.apply.materialOptional', { copies: m.copies })}
              required={m.required && !m.allowPending}
              error={fields?.[`file.${m.key}`]}
              kept={values.kept[m.key] ?? null}
            />
          ))}
        </fieldset>
      ) : (
        ''
      )}
      <button type="submit" class="button">
        {submitLabel}
      </button>
    </form>
  );
}
