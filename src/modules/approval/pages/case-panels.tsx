/**
 * The case page's panels beside the task forms: stopping and resuming the clock, extending the
 * time limit, reassigning an open task and recording fees. Each is a plain form posted to a
 * console route that calls the same service as the API; each is shown only to whom the service
 * would allow it (the service checks again).
 */
import type { Children } from '@kitajs/html';
import { attr, Csrf, DataTable, EmptyRow, ErrorSummary, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import type { TaskRow } from '../../../platform/flow/service.ts';
import { OPEN_CASE_STATES, type CaseState } from '../model.ts';
import type { Item } from '../catalogue.ts';
import type { ApplicationView } from '../application-views.ts';
import { MANUAL_STOPS } from '../commands/stop-clock.ts';
import { MAX_EXTENSION_DAYS } from '../commands/extend-deadline.ts';
import type { CasePowers, CaseTasks } from './data.ts';
import { dateOf, feeText, RadioGroup, TextArea } from './components.tsx';
import { yuan } from './editor.ts';

export const PANEL_FORMS = ['clockStop', 'resume', 'extension', 'reassign', 'fee'] as const;
export type PanelForm = (typeof PANEL_FORMS)[number];

/** A refused panel form, re-rendered with what was typed and why it was refused. */
export interface PanelState {
  form: PanelForm;
  /** The task a reassignment was about. */
  taskId?: string;
  values: Record<string, string>;
  fields?: FieldMessages;
  summary?: string;
}

export interface PanelProps {
  ctx: ViewContext;
  view: ApplicationView;
  powers: CasePowers;
  state: PanelState | null;
}

const isRunning = (view: ApplicationView) => OPEN_CASE_STATES.includes(view.state as CaseState);
/** Clock stops and extensions are for accepted cases still open (caseForStaff). */
const isOpenCase = (view: ApplicationView) => !!view.acceptedAt && isRunning(view);
const isManualStop = (reason: string | null) => (MANUAL_STOPS as readonly string[]).includes(reason ?? '');

/** The forms a panel would show now, so that a refusal whose form is gone meanwhile still shows at the top. */
export function shownPanelForms(view: ApplicationView, powers: CasePowers, tasks: CaseTasks): Set<string> {
  const shown = new Set<string>();
  if (powers.handle && isOpenCase(view)) {
    if (!view.clockStopped) shown.add('clockStop');
    else if (isManualStop(view.clockStopped)) shown.add('resume');
  }
  if (powers.lead && isOpenCase(view) && view.extensionDays < MAX_EXTENSION_DAYS) shown.add('extension');
  if (isRunning(view)) for (const { task, candidates } of tasks.reassignable) if (candidates.length) shown.add(`reassign:${task.id}`);
  if (powers.fee && feeAllowed(view)) shown.add('fee');
  return shown;
}

export const panelKey = (state: PanelState) => (state.form === 'reassign' ? `reassign:${state.taskId}` : state.form);

function own(state: PanelState | null, form: PanelForm, taskId?: string): PanelState | null {
  return state && state.form === form && state.taskId === taskId ? state : null;
}

/** A panel's form: the summary of its refusal, then the fields, posted with the session token. */
function PanelForm(props: { ctx: ViewContext; form: string; action: string; state: PanelState | null; labels: Record<string, string>; submit: JSX.Element; secondary?: boolean; describedBy?: string; children: Children }) {
  const { ctx, state, children, submit } = props;
  return (
    <>
      <ErrorSummary ctx={ctx} form={props.form} summary={state?.summary} fields={state?.fields} labels={props.labels} />
      <form method="post" action={attr(props.action)} class="form form-wide" novalidate aria-describedby={props.describedBy}>
        <Csrf ctx={ctx} />
        {children}
        <button type="submit" class={props.secondary ? 'button button-secondary' : 'button'}>
          {submit}
        </button>
      </form>
    </>
  );
}

export function ClockStopPanel({ ctx, view, powers, state }: PanelProps) {
  if (!powers.handle || !isOpenCase(view)) return '';
  const stop = own(state, 'clockStop');
  const resume = own(state, 'resume');
  const labels = { reason: ctx.ta('page.approval.clockStop.reason'), note: ctx.ta('page.approval.clockStop.note') };
  return (
    <section class="panel" aria-labelledby="clock-title">
      <h2 id="clock-title">{ctx.t('page.approval.clockStop.title')}</h2>
      {!view.clockStopped ? (
        <>
          <p class="muted">{ctx.t('page.approval.clockStop.lead')}</p>
          <PanelForm ctx={ctx} form="clockStop" action={`/console/approval/cases/${view.id}/clock-stops`} state={stop} labels={labels} submit={ctx.t('page.approval.clockStop.submit')}>
            <RadioGroup
              ctx={ctx}
              form="clockStop"
              name="reason"
              legend={labels.reason}
              value={stop?.values.reason ?? ''}
              options={MANUAL_STOPS.map((reason) => ({ value: reason, label: ctx.ta(`page.approval.clockStop.reason.${reason}`) }))}
              error={stop?.fields?.reason}
              required
            />
            <TextArea ctx={ctx} form="clockStop" name="note" label={labels.note} hint={ctx.ta('page.approval.clockStop.noteHint')} value={stop?.values.note} error={stop?.fields?.note} maxlength={1000} rows={3} required />
          </PanelForm>
        </>
      ) : isManualStop(view.clockStopped) ? (
        <>
          <p>{ctx.t('page.approval.clockStop.stopped', { reason: ctx.ta(`page.approval.clockStop.reason.${view.clockStopped}`) })}</p>
          <PanelForm ctx={ctx} form="resume" action={`/console/approval/cases/${view.id}/clock-stops/resume`} state={resume} labels={{ note: ctx.ta('page.approval.clockStop.resumeNote') }} submit={ctx.t('page.approval.clockStop.resume')}>
            <TextArea ctx={ctx} form="resume" name="note" label={ctx.ta('page.approval.clockStop.resumeNote')} value={resume?.values.note} error={resume?.fields?.note} maxlength={1000} rows={2} />
          </PanelForm>
        </>
      ) : (
        <p>{ctx.t('page.approval.clockStop.correction')}</p>
      )}
    </section>
  );
}

export function ExtensionPanel({ ctx, view, powers, state }: PanelProps) {
  if (!powers.lead || !isOpenCase(view)) return '';
  const mine = own(state, 'extension');
  const left = Math.max(0, MAX_EXTENSION_DAYS - view.extensionDays);
  const labels = { days: ctx.ta('page.approval.extension.days'), reason: ctx.ta('page.approval.extension.reason') };
  return (
    <section class="panel" aria-labelledby="extension-title">
      <h2 id="extension-title">{ctx.t('page.approval.extension.title')}</h2>
      <p class="muted">{ctx.t('page.approval.extension.lead')}</p>
      <p id="extension-used">{ctx.t('page.approval.extension.used', { used: view.extensionDays, max: MAX_EXTENSION_DAYS, left })}</p>
      {left > 0 ? (
        <>
          <PanelForm ctx={ctx} form="extension" action={`/console/approval/cases/${view.id}/extensions`} state={mine} labels={labels} submit={ctx.t('page.approval.extension.submit')} describedBy="extension-used">
            <TextField ctx={ctx} form="extension" name="days" inputmode="numeric" size="short" maxlength={3} label={labels.days} hint={ctx.ta('page.approval.extension.daysHint', { left })} value={mine?.values.days} error={mine?.fields?.days} required />
            <TextArea ctx={ctx} form="extension" name="reason" label={labels.reason} hint={ctx.ta('page.approval.extension.reasonHint')} value={mine?.values.reason} error={mine?.fields?.reason} maxlength={1000} rows={3} required />
          </PanelForm>
        </>
      ) : (
        <p>{ctx.t('page.approval.extension.none')}</p>
      )}
    </section>
  );
}

export function ReassignPanel({ ctx, view, tasks, people, state }: Omit<PanelProps, 'powers'> & { tasks: CaseTasks; people: Map<string, string> }) {
  if (!tasks.reassignable.length || !isRunning(view)) return '';
  const stepNames = new Map(view.steps.map((s) => [s.key, s.name]));
  const label = ctx.ta('page.approval.reassign.to');
  return (
    <section class="panel" aria-labelledby="reassign-title">
      <h2 id="reassign-title">{ctx.t('page.approval.reassign.title')}</h2>
      <p class="muted">{ctx.t('page.approval.reassign.lead')}</p>
      {tasks.reassignable.map(({ task, candidates }, i) => (
        <ReassignForm ctx={ctx} view={view} task={task} candidates={candidates} form={`reassign${i}`} step={stepNames.get(task.step_key) ?? task.step_key} assignee={task.assignee ? (people.get(task.assignee) ?? '') : null} label={label} state={own(state, 'reassign', task.id)} />
      ))}
    </section>
  );
}

function ReassignForm(props: { ctx: ViewContext; view: ApplicationView; task: TaskRow; candidates: Array<{ id: string; name: string }>; form: string; step: string; assignee: string | null; label: string; state: PanelState | null }) {
  const { ctx, task, form, state } = props;
  const titleId = `${form}-title`;
  return (
    <div role="group" aria-labelledby={titleId}>
      <h3 id={titleId}>{ctx.t('page.approval.reassign.step', { step: props.step, role: ctx.ta(`page.approval.role.${task.role}`) })}</h3>
      {props.assignee !== null ? <p>{ctx.t('page.approval.reassign.current', { name: props.assignee })}</p> : ''}
      {props.candidates.length ? (
        <>
          <PanelForm ctx={ctx} form={form} action={`/console/approval/cases/${props.view.id}/tasks/${task.id}/reassign`} state={state} labels={{ userId: props.label }} submit={ctx.t('page.approval.reassign.submit')} secondary>
            <SelectField ctx={ctx} form={form} name="userId" label={props.label} value={state?.values.userId ?? ''} error={state?.fields?.userId} placeholder={ctx.ta('page.approval.reassign.choose')} options={props.candidates.map((c) => ({ value: c.id, label: c.name }))} required />
          </PanelForm>
        </>
      ) : (
        <p class="muted">{ctx.t('page.approval.reassign.nobody')}</p>
      )}
    </div>
  );
}

/** A fee may be recorded once the case is accepted, unless it was withdrawn or refused (recordFee). */
const feeAllowed = (view: ApplicationView) => !!view.acceptedAt && view.state !== 'withdrawn' && view.state !== 'rejected';

interface FeeEvent {
  at: string;
  payload: { amountFen?: number; totalFen?: number; note?: string | null };
  actorName?: string | null;
}

export function FeePanel({ ctx, view, item, powers, state }: PanelProps & { item: Item }) {
  if (!view.acceptedAt) return '';
  const fees = (view.events as Array<FeeEvent & { type: string }>).filter((e) => e.type === 'fee_charged');
  const total = fees.at(-1)?.payload.totalFen ?? 0;
  const mine = own(state, 'fee');
  const labels = { amount: ctx.ta('page.approval.fee.amount'), note: ctx.ta('page.approval.fee.noteLabel') };
  return (
    <section class="panel" aria-labelledby="fee-title">
      <h2 id="fee-title">{ctx.t('page.approval.fee.title')}</h2>
      <p>{ctx.t('page.approval.fee.standard', { fee: feeText(ctx, item.fee) })}</p>
      <DataTable id="case-fees" caption={ctx.t('page.approval.fee.caption')} head={[ctx.t('page.approval.fee.at'), ctx.t('page.approval.fee.amountColumn'), ctx.t('page.approval.fee.note'), ctx.t('page.approval.fee.by')]}>
        {fees.length ? (
          <>
            {fees.map((fee) => (
              <tr>
                <td>{dateOf(fee.at, ctx)}</td>
                <td class="mono" safe>
                  {yuan(Number(fee.payload.amountFen ?? 0))}
                </td>
                <td safe>{fee.payload.note ?? ''}</td>
                <td safe>{fee.actorName ?? ''}</td>
              </tr>
            ))}
            <tr>
              <td colspan="4">
                <strong>{ctx.t('page.approval.fee.total', { total: yuan(total) })}</strong>
              </td>
            </tr>
          </>
        ) : (
          <EmptyRow columns={4}>{ctx.t('page.approval.fee.none')}</EmptyRow>
        )}
      </DataTable>
      {powers.fee && feeAllowed(view) ? (
        <>
          <PanelForm ctx={ctx} form="fee" action={`/console/approval/cases/${view.id}/fees`} state={mine} labels={labels} submit={ctx.t('page.approval.fee.submit')}>
            <TextField ctx={ctx} form="fee" name="amount" inputmode="decimal" size="short" maxlength={12} label={labels.amount} hint={ctx.ta('page.approval.fee.amountHint')} value={mine?.values.amount} error={mine?.fields?.amount} required />
            <TextField ctx={ctx} form="fee" name="note" maxlength={200} size="long" label={labels.note} hint={ctx.ta('page.approval.fee.noteHint')} value={mine?.values.note} error={mine?.fields?.note} />
          </PanelForm>
        </>
      ) : (
        ''
      )}
    </section>
  );
}
