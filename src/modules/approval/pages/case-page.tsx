/**
 * The staff case page: timeline, steps, materials, the form that accepts, approves, rejects,
 * requests the one-time correction or returns, and the panels that stop the clock, extend,
 * reassign and record fees.
 */
import Html from '@kitajs/html';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/module.ts';
import type { TaskRow } from '../../../platform/flow/service.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { displayNames } from '../../../platform/iam/index.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attr, Csrf, DataTable, EmptyRow, ErrorSummary, Notice, SelectField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { type TaskAction } from '../model.ts';
import { getItem, type Item } from '../queries/items.ts';
import { getApplicationView, type ApplicationView } from '../application-views.ts';
import { casePowers, caseTasks, type CasePowers, type CaseTasks } from './data.ts';
import { ClockStopPanel, ExtensionPanel, FeePanel, panelKey, ReassignPanel, shownPanelForms, type PanelState } from './case-panels.tsx';
import { yuan } from './editor.ts';
import { CaseIdentity, Checkbox, dateOf, RadioGroup, StepStateTag, TextArea } from './components.tsx';
import { documentKindsOf, documentUrl } from '../documents/service.ts';

export const tasksCrumb = (ctx: ViewContext) => ({ href: '/console/approval/tasks', label: ctx.t('page.approval.tasks.title') });

export interface ActionState {
  taskId: string;
  action: string;
  opinion: string;
  missing: string[];
  reasons: Record<string, string>;
  returnTo: string;
  /** The confirmation box of 受理 / 不予受理 was ticked. */
  confirmed?: boolean;
  fields?: FieldMessages;
  summary?: string;
}

const EVENT_TYPES = new Set(['submitted', 'accepted', 'correction_requested', 'corrected', 'materials_added', 'fee_charged', 'approved']);

interface TimelineEntry {
  at: string;
  order: number;
  text: JSX.Element;
  detail: JSX.Element;
}

type CaseEvent = { seq: number; type: string; at: string; payload: Record<string, unknown>; actorName?: string | null };

/** One list from the process log and the case events, oldest first; `people` names whom tasks were handed to. */
function timeline(ctx: ViewContext, view: ApplicationView, people: Map<string, string>): TimelineEntry[] {
  const stepNames = new Map(view.steps.map((s) => [s.key, s.name]));
  const events = view.events as CaseEvent[];
  // Each hand-ended clock stop, each reassignment and each extension writes one process action and
  // one case event, in the same order: the event holds what the action does not (the note, the new
  // holder, the new deadline).
  const resumeNotes = events.filter((e) => e.type === 'clock_resumed').map((e) => e.payload.note);
  const reassignedTo = events.filter((e) => e.type === 'reassigned').map((e) => String(e.payload.to ?? ''));
  const extendedTo = events.filter((e) => e.type === 'extended').map((e) => e.payload.dueDate);
  let stoppedFor = '';
  const out: TimelineEntry[] = [];
  for (const action of view.actions as Array<Record<string, unknown> & { seq: number; type: string; at: string; actorName?: string | null }>) {
    const actor = action.actorName ?? '';
    const step = stepNames.get(String(action.stepKey ?? '')) ?? String(action.stepKey ?? '');
    switch (action.type) {
      case 'complete':
        out.push({
          at: action.at,
          order: action.seq * 2,
          text: ctx.t(`page.approval.timeline.complete.${String(action.outcome)}`, { actor, step }),
          detail: action.opinion ? <p class="muted" safe>{String(action.opinion)}</p> : '',
        });
        break;
      case 'suspend':
        stoppedFor = String(action.reason);
        out.push({ at: action.at, order: action.seq * 2, text: ctx.t('page.approval.timeline.suspend', { actor, reason: ctx.ta(`page.approval.timeline.stopReason.${String(action.reason)}`) }), detail: action.note ? <p class="muted" safe>{String(action.note)}</p> : '' });
        break;
      case 'resume': {
        const note = stoppedFor === 'correction' ? null : resumeNotes.shift();
        stoppedFor = '';
        out.push({ at: action.at, order: action.seq * 2, text: ctx.t('page.approval.timeline.resume', { actor }), detail: typeof note === 'string' && note ? <p class="muted" safe>{note}</p> : '' });
        break;
      }
      case 'extend': {
        // The case event of the extension records the deadline it gave.
        const due = extendedTo.shift();
        const text = typeof due === 'string' ? ctx.t('page.approval.timeline.extendTo', { actor, days: Number(action.days), due }) : ctx.t('page.approval.timeline.extend', { actor, days: Number(action.days) });
        out.push({ at: action.at, order: action.seq * 2, text, detail: <p class="muted" safe>{String(action.reason ?? '')}</p> });
        break;
      }
      case 'reassign':
        out.push({ at: action.at, order: action.seq * 2, text: ctx.t('page.approval.timeline.reassign', { actor, step, to: people.get(reassignedTo.shift() ?? '') ?? '' }), detail: '' });
        break;
      case 'withdraw':
        out.push({ at: action.at, order: action.seq * 2, text: ctx.t('page.approval.timeline.withdraw'), detail: '' });
        break;
    }
  }
  for (const event of events) {
    if (!EVENT_TYPES.has(event.type)) continue;
    const p = event.payload;
    const refund = event.type === 'fee_charged' && typeof p.amountFen === 'number' && p.amountFen < 0;
    const detail =
      event.type === 'correction_requested' ? (
        <ul>
          {((p.missing as Array<{ name: string; reason: string }> | undefined) ?? []).map((m) => (
            <li>
              <span safe>{m.name}</span>
              {ctx.t('ui.colon')}
              <span safe>{m.reason}</span>
            </li>
          ))}
        </ul>
      ) : event.type === 'fee_charged' && typeof p.note === 'string' ? (
        <span safe>{p.note}</span>
      ) : (
        ''
      );
    out.push({
      at: event.at,
      order: 1_000_000 + event.seq,
      text: ctx.t(`page.approval.timeline.event.${refund ? 'fee_refunded' : event.type}`, {
        actor: event.actorName ?? '',
        channel: ctx.ta(`page.approval.channel.${String(p.channel ?? 'online')}`),
        due: String(p.dueDate ?? ''),
        certificateNo: String(p.certificateNo ?? ''),
        amount: typeof p.amountFen === 'number' ? yuan(Math.abs(p.amountFen)) : '',
        total: typeof p.totalFen === 'number' ? yuan(p.totalFen) : '',
      }),
      detail,
    });
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
}

/** The case's history (办理过程), oldest first: staff see who did what, the applicant what was done. */
export function CaseTimeline({ ctx, view, people }: { ctx: ViewContext; view: ApplicationView; people: Map<string, string> }) {
  return (
    <section class="panel" aria-labelledby="case-timeline">
      <h2 id="case-timeline">{ctx.t('page.approval.case.timeline')}</h2>
      <ol class="role-list timeline">
        {timeline(ctx, view, people).map(({ at, text, detail }) => (
          <li>
            <time datetime={attr(at)}>{dateOf(at, ctx)}</time> {text}
            {detail}
          </li>
        ))}
      </ol>
    </section>
  );
}

function ActionForm({ ctx, view, item, task, index, state }: { ctx: ViewContext; view: ApplicationView; item: Item; task: TaskRow; index: number; state: ActionState | null }) {
  const form = `task${index}`;
  const step = view.steps.find((s) => s.key === task.step_key);
  const first = (step?.stage ?? 0) === 0;
  const mine = state && state.taskId === task.id ? state : null;
  const fields = mine?.fields ?? {};
  const earlier = view.steps.filter((s) => s.stage < (step?.stage ?? 0));
  const actions: Array<{ value: TaskAction; label: string; hint?: string }> = [
    first ? { value: 'accept', label: ctx.ta('page.approval.action.accept') } : { value: 'approve', label: ctx.ta('page.approval.action.approve') },
    ...(view.correction ? [] : [{ value: 'request_correction' as const, label: ctx.ta('page.approval.action.request_correction'), hint: ctx.ta('page.approval.action.correctionHint') }]),
    ...(first ? [] : [{ value: 'return' as const, label: ctx.ta('page.approval.action.return') }]),
    { value: 'reject', label: ctx.ta(first ? 'page.approval.action.rejectAcceptance' : 'page.approval.action.reject'), hint: ctx.ta('page.approval.action.rejectHint') },
  ];
  const labels: Record<string, string> = { action: ctx.ta('page.approval.action.choose'), confirm: ctx.ta('page.approval.action.confirmLabel'), opinion: ctx.ta('page.approval.action.opinion'), missing: ctx.ta('page.approval.action.missing'), returnTo: ctx.ta('page.approval.action.returnTo') };
  for (const m of item.materials) labels[`reason.${m.key}`] = ctx.ta('page.approval.action.reasonOf', { name: m.name });
  return (
    <section class="panel" aria-labelledby={`${form}-title`}>
      <h2 id={`${form}-title`}>{ctx.t('page.approval.action.title', { step: step?.name ?? task.step_key })}</h2>
      <p>
        {ctx.t('page.approval.action.due', { due: task.due_date })}
      </p>
      <ErrorSummary ctx={ctx} form={form} summary={mine?.summary} fields={mine?.fields} labels={labels} />
      <form method="post" action={`/console/approval/cases/${attr(view.id)}/tasks/${attr(task.id)}`} class="form form-wide" novalidate>
        <Csrf ctx={ctx} />
        <input type="hidden" name="expectedVersion" value={String(task.version)} />
        {/* Nothing is chosen beforehand: 受理 and 不予受理 are a deliberate choice, confirmed below. */}
        <RadioGroup ctx={ctx} form={form} name="action" legend={labels.action} value={mine?.action ?? ''} options={actions} error={fields.action} required />
        <TextArea ctx={ctx} form={form} name="opinion" label={labels.opinion} hint={ctx.ta('page.approval.action.opinionHint')} value={mine?.opinion} error={fields.opinion} maxlength={2000} rows={3} />
        {view.correction ? (
          <p class="muted">{ctx.t('page.approval.action.correctionDone')}</p>
        ) : (
          <fieldset class={['field', fields.missing ? 'field-invalid' : '']} id={`${form}-missing`} aria-describedby={`${form}-missing-hint${fields.missing ? ` ${form}-missing-error` : ''}`}>
            <legend class="fieldset-legend">{ctx.t('page.approval.action.missing')}</legend>
            <p class="field-hint" id={`${form}-missing-hint`}>
              {ctx.t('page.approval.action.missingHint')}
            </p>
            {fields.missing ? (
              <p class="field-error" id={`${form}-missing-error`} safe>
                {fields.missing}
              </p>
            ) : (
              ''
            )}
            <DataTable id={`${form}-materials`} caption={ctx.t('page.approval.action.checklist')} head={[ctx.t('page.approval.action.missingColumn'), ctx.t('page.approval.action.reason')]}>
              {item.materials.map((m) => {
                const handed = view.materials.some((h) => h.materialKey === m.key);
                const reasonId = `${form}-reason.${m.key}`;
                return (
                  <tr>
                    <td>
                      <div class="checkbox">
                        <input type="checkbox" id={attr(`${form}-missing.${m.key}`)} name="missing" value={attr(m.key)} checked={mine?.missing.includes(m.key) ?? false} />
                        <label for={attr(`${form}-missing.${m.key}`)}>
                          <span safe>{m.name}</span> <span class="muted">{handed ? ctx.t('page.approval.action.handed') : ctx.t('page.approval.action.notHanded')}</span>
                        </label>
                      </div>
                    </td>
                    <td>
                      <label for={attr(reasonId)} class="visually-hidden">
                        {ctx.t('page.approval.action.reasonOf', { name: m.name })}
                      </label>
                      {fields[`reason.${m.key}`] ? (
                        <p class="field-error" id={attr(`${reasonId}-error`)} safe>
                          {fields[`reason.${m.key}`]}
                        </p>
                      ) : (
                        ''
                      )}
                      <input
                        class="input"
                        id={attr(reasonId)}
                        name={attr(`reason.${m.key}`)}
                        value={attr(mine?.reasons[m.key] ?? '')}
                        maxlength="500"
                        aria-invalid={fields[`reason.${m.key}`] ? 'true' : undefined}
                        aria-describedby={fields[`reason.${m.key}`] ? attr(`${reasonId}-error`) : undefined}
                      />
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          </fieldset>
        )}
        {earlier.length ? (
          <SelectField
            ctx={ctx}
            form={form}
            name="returnTo"
            label={labels.returnTo}
            hint={ctx.ta('page.approval.action.returnToHint')}
            value={mine?.returnTo ?? ''}
            error={fields.returnTo}
            placeholder={ctx.ta('page.approval.action.returnToDefault')}
            options={earlier.map((s) => ({ value: s.key, label: s.name }))}
          />
        ) : (
          ''
        )}
        {first ? (
          <>
            <input type="hidden" name="confirmable" value="1" />
            <Checkbox form={form} name="confirm" value="1" label={labels.confirm} hint={ctx.ta('page.approval.action.confirmHint')} checked={mine?.confirmed ?? false} error={fields.confirm} />
          </>
        ) : (
          ''
        )}
        <button type="submit" class="button">
          {ctx.t('page.approval.action.submit')}
        </button>
      </form>
    </section>
  );
}

/** A refused form of the case page: a task's decision or one of the panels. */
export interface CaseFormState {
  action?: ActionState;
  panel?: PanelState;
}

interface CasePageProps {
  ctx: ViewContext;
  view: ApplicationView;
  item: Item;
  units: Map<string, string>;
  tasks: CaseTasks;
  powers: CasePowers;
  people: Map<string, string>;
  state: CaseFormState;
}

function CasePage({ ctx, view, item, units, tasks, powers, people, state: forms }: CasePageProps) {
  const state = forms.action ?? null;
  const panel = forms.panel ?? null;
  const formLabels = new Map(item.formFields.map((f) => [f.key, f.label]));
  // A refusal about a task that is no longer open (done by someone else meanwhile) has no form to sit in.
  const orphan = state && !(tasks.mine.some((t) => t.id === state.taskId) && !tasks.suspended) ? state : null;
  // Nor one about a panel form that is gone (the clock was stopped or the case finished meanwhile).
  const orphanPanel = panel && !shownPanelForms(view, powers, tasks).has(panelKey(panel)) ? panel : null;
  const panelProps = { ctx, view, powers, state: panel };
  return (
    <>
      {orphan ? <ErrorSummary ctx={ctx} form="task" summary={orphan.summary} fields={orphan.fields} /> : ''}
      {orphanPanel ? <ErrorSummary ctx={ctx} form="panel" summary={orphanPanel.summary} fields={orphanPanel.fields} /> : ''}
      <section class="panel" aria-labelledby="case-summary">
        <h2 id="case-summary">{ctx.t('page.approval.case.summary')}</h2>
        <dl class="stat-list">
          <CaseIdentity ctx={ctx} view={view} />
          <dt>{ctx.t('page.approval.case.channel')}</dt>
          <dd>{ctx.t(`page.approval.channel.${view.channel}`)}</dd>
          <dt>{ctx.t('page.approval.case.applicant')}</dt>
          <dd>
            <span safe>{view.applicant.name}</span> <span class="muted">{ctx.t(`page.approval.apply.${view.applicant.kind}`)}</span>
          </dd>
          <dt>{ctx.t(view.applicant.kind === 'enterprise' ? 'page.approval.apply.creditCode' : 'page.approval.apply.idNumber')}</dt>
          <dd class="mono" safe>
            {view.applicant.creditCode ?? view.applicant.idNumber ?? ''}
          </dd>
          <dt>{ctx.t('page.approval.apply.phone')}</dt>
          <dd class="mono" safe>
            {view.applicant.phone}
          </dd>
          <dt>{ctx.t('page.approval.case.submittedAt')}</dt>
          <dd>{dateOf(view.submittedAt, ctx)}</dd>
          <dt>{ctx.t('page.approval.case.acceptDue')}</dt>
          <dd safe>{view.acceptDueDate}</dd>
          <dt>{ctx.t('page.approval.case.acceptedAt')}</dt>
          <dd>{dateOf(view.acceptedAt, ctx)}</dd>
          <dt>{ctx.t('page.approval.case.dueDate')}</dt>
          <dd>
            <span safe>{view.dueDate ?? '—'}</span>
            {view.extensionDays ? <span class="muted"> {ctx.t('page.approval.case.extended', { days: view.extensionDays })}</span> : ''}
          </dd>
          <dt>{ctx.t('page.approval.case.finishedAt')}</dt>
          <dd>{dateOf(view.finishedAt, ctx)}</dd>
        </dl>
        <ul class="actions">
          {documentKindsOf(view).map((kind) => (
            <li>
              <a href={documentUrl(view.id, kind)} type="application/pdf">
                {ctx.t('page.approval.case.print', { name: ctx.t(`approval.document.kind.${kind}`) })}
              </a>
            </li>
          ))}
          {view.result ? (
            <li>
              <a href={`/services/certificates/${attr(view.result.verificationCode)}`}>{ctx.t('page.approval.case.viewCertificate')}</a>
            </li>
          ) : (
            ''
          )}
        </ul>
      </section>
      {view.decision ? (
        <Notice kind="error" title={ctx.t(view.decision.notAccepted ? 'page.approval.case.notAcceptedTitle' : 'page.approval.case.rejectedTitle')}>
          <p safe>{view.decision.reason}</p>
        </Notice>
      ) : (
        ''
      )}
      {tasks.mine.length && tasks.suspended ? (
        <Notice kind="info" title={ctx.t('page.approval.action.suspendedTitle')}>
          <p>{ctx.t('page.approval.action.suspendedText')}</p>
        </Notice>
      ) : (
        ''
      )}
      {tasks.suspended ? '' : tasks.mine.map((task, i) => <ActionForm ctx={ctx} view={view} item={item} task={task} index={i} state={state} />)}
      <ClockStopPanel {...panelProps} />
      <ExtensionPanel {...panelProps} />
      <ReassignPanel ctx={ctx} view={view} tasks={tasks} people={people} state={panel} />
      <FeePanel {...panelProps} item={item} />
      <DataTable
        id="case-steps"
        caption={ctx.t('page.approval.case.steps')}
        head={[ctx.t('page.approval.case.step'), ctx.t('page.approval.guide.unit'), ctx.t('page.approval.case.role'), ctx.t('page.approval.case.stepState'), ctx.t('page.approval.case.stepOpened'), ctx.t('page.approval.case.stepDue'), ctx.t('page.approval.case.stepFinished')]}
      >
        {view.steps.map((s) => (
          <tr>
            <td>
              <span safe>{s.name}</span>
              {view.steps.filter((o) => o.stage === s.stage).length > 1 ? <span class="muted"> {ctx.t('page.approval.case.parallel')}</span> : ''}
            </td>
            <td safe>{units.get(s.unitId) ?? ''}</td>
            <td>{ctx.t(`page.approval.role.${s.role}`)}</td>
            <td>
              <StepStateTag ctx={ctx} state={s.state} />
            </td>
            <td>{dateOf(s.openedAt, ctx)}</td>
            <td safe>{s.dueDate ?? '—'}</td>
            <td>{dateOf(s.finishedAt, ctx)}</td>
          </tr>
        ))}
      </DataTable>
      <DataTable id="case-materials" caption={ctx.t('page.approval.case.materials')} head={[ctx.t('page.approval.guide.materialName'), ctx.t('page.approval.case.round'), ctx.t('page.approval.case.addedAt'), ctx.t('ui.actions')]}>
        {view.materials.length ? (
          view.materials.map((m) => (
            <tr>
              <td safe>{m.name}</td>
              <td>{m.round ? ctx.t('page.approval.case.roundCorrection') : ctx.t('page.approval.case.roundFirst')}</td>
              <td>{dateOf(m.addedAt, ctx)}</td>
              <td>
                <a href={`/api/v1/files/${attr(m.fileId)}`} aria-label={ctx.ta('page.approval.case.downloadOf', { name: m.name })}>
                  {ctx.t('page.approval.case.download')}
                </a>
              </td>
            </tr>
          ))
        ) : (
          <EmptyRow columns={4}>{ctx.t('page.approval.case.noMaterials')}</EmptyRow>
        )}
      </DataTable>
      {view.pendingMaterials.length ? (
        <Notice kind="warning" title={ctx.t('page.approval.case.pendingTitle')}>
          <ul>
            {view.pendingMaterials.map((m) => (
              <li safe>{m.name}</li>
            ))}
          </ul>
        </Notice>
      ) : (
        ''
      )}
      {Object.keys(view.form).length ? (
        <section class="panel" aria-labelledby="case-form">
          <h2 id="case-form">{ctx.t('page.approval.apply.formData')}</h2>
          <dl class="stat-list">
            {Object.entries(view.form).map(([key, value]) => (
              <>
                <dt safe>{formLabels.get(key) ?? key}</dt>
                <dd safe>{String(value ?? '')}</dd>
              </>
            ))}
          </dl>
        </section>
      ) : (
        ''
      )}
      <CaseTimeline ctx={ctx} view={view} people={people} />
    </>
  );
}

export async function renderCase(platform: Platform, request: FastifyRequest, reply: FastifyReply, id: string, state: CaseFormState = {}, status?: number) {
  const principal = request.principal!;
  const view = await getApplicationView(platform, principal, id);
  const [item, tasks, units] = await Promise.all([getItem(platform.db, view.itemId), caseTasks(platform, principal, id), getUnits(platform.db, [...new Set([view.unitId, ...view.steps.map((s) => s.unitId)])])]);
  const handedTo = (view.events as CaseEvent[]).filter((e) => e.type === 'reassigned').map((e) => String(e.payload.to ?? ''));
  const people = await displayNames(platform.db, [...handedTo, ...tasks.reassignable.map((r) => r.task.assignee ?? '')]);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.approval.case.title', { receiptNo: view.receiptNo }),
    lead: <span safe>{view.itemName}</span>,
    crumbs: [tasksCrumb(ctx), { label: Html.escapeHtml(view.receiptNo) }],
    status,
    body: <CasePage ctx={ctx} view={view} item={item!} units={new Map(units.map((u) => [u.id, u.name]))} tasks={tasks} powers={casePowers(principal, units)} people={people} state={state} />,
  }));
}
