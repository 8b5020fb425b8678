import Html from '@kitajs/html';
import { attr, describedBy, FieldNotes, formatDateTime, type ViewContext } from '../../../platform/views/index.ts';
import type { Item } from '../queries/items.ts';
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

// ---------------------------------------------------------------- form controls not in the shared set



export function TextArea(props: { ctx: ViewContext; form: string; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; maxlength?: number }) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <FieldNotes id={id} hint={props.hint} error={props.error} />
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
      <FieldNotes id={id} hint={props.hint} error={props.error} />
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
      <FieldNotes id={id} error={props.error} />
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

const ACCEPT = '.pdf,.ofd,.jpg,.jpeg,.png,.gif,.tif,.tiff,.doc,.docx,.wps,.xls,.xlsx,.et,.zip,.7z,.rar,.txt,.csv';

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
      <FieldNotes id={id} hint={props.hint} error={props.error} />
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
