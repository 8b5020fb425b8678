/**
 * The staff side of cases: the window intake screen (a clerk files a paper application for an
 * applicant), the task inbox (oldest deadline first, time left in words and colour) and the case
 * page (timeline, steps, materials, the form that accepts, approves, rejects, requests the
 * one-time correction or returns, and the panels that stop the clock, extend, reassign and record fees).
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf, fieldError, invalid, notFound, renderMessage, type FieldError } from '../../../platform/http/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import type { TaskRow } from '../../../platform/flow/service.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { displayNames } from '../../../platform/iam/service.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyRow,
  EmptyState,
  ErrorSummary,
  FormBody,
  formList,
  fieldMessages,
  formText,
  Notice,
  PageQueryFields,
  Pagination,
  redirect,
  SelectField,
  setFlash,
  type FieldMessages,
  type Flash,
  type ViewContext,
} from '../../../platform/views/index.ts';
import { TASK_ACTIONS, type TaskAction } from '../model.ts';
import { getItem, getItemFor, listItems, type Item } from '../catalogue.ts';
import { getApplicationView, type ApplicationView } from '../application-views.ts';
import { listMyTasks } from '../tasks.ts';
import { completeApprovalTask } from '../commands/complete-task.ts';
import { extendApplication, MAX_EXTENSION_DAYS } from '../commands/extend-deadline.ts';
import { MAX_FEE_FEN, recordFee } from '../commands/record-fee.ts';
import { MANUAL_STOPS, startClockStop, type ManualStop } from '../commands/stop-clock.ts';
import { endClockStop } from '../commands/resume-clock.ts';
import { reassignTask } from '../commands/reassign-task.ts';
import { casePowers, caseTasks, unitNames, type CasePowers, type CaseTasks } from './data.ts';
import { ClockStopPanel, ExtensionPanel, FeePanel, panelKey, ReassignPanel, shownPanelForms, type PanelForm, type PanelState } from './case-panels.tsx';
import { fenOf, yuan } from './editor.ts';
import { ApplicationForm, applicationLabels, CaseIdentity, dateOf, DeadlineTag, emptyApplication, RadioGroup, StateTag, StepStateTag, TextArea, type ApplicationValues } from './components.tsx';
import { submissionToken, submitFromForm } from './submit.ts';

const IdParams = Strict({ id: Id });
const TaskParams = Strict({ id: Id, taskId: Id });
const CaseFormSchema = { params: IdParams, body: FormBody };
const PlainQuery = Strict({ ...PageQueryFields });
const IntakeQuery = Strict({ q: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
const TasksQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

const tasksCrumb = (ctx: ViewContext) => ({ href: '/console/approval/tasks', label: ctx.t('page.approval.tasks.title') });
const intakeCrumb = (ctx: ViewContext) => ({ href: '/console/approval/intake', label: ctx.t('page.approval.intake.title') });

// ---------------------------------------------------------------- intake

interface IntakeState {
  values: ApplicationValues;
  submission: string;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

function intakeForm(platform: Platform, request: FastifyRequest, reply: FastifyReply, item: Item, state: IntakeState) {
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.approval.intake.formTitle', { name: item.name }),
    lead: ctx.t('page.approval.intake.formLead'),
    crumbs: [intakeCrumb(ctx), { label: Html.escapeHtml(item.name) }],
    status: state.status,
    body: (
      <>
        <p>
          <a href={`/services/items/${attr(item.id)}`}>{ctx.t('page.approval.intake.guide')}</a>
        </p>
        <ErrorSummary ctx={ctx} form="intake" summary={state.summary} fields={state.fields} labels={applicationLabels(ctx, item)} />
        <ApplicationForm ctx={ctx} form="intake" action={`/console/approval/intake/${item.id}`} item={item} values={state.values} fields={state.fields} submission={state.submission} submitLabel={ctx.t('page.approval.intake.submit')} />
      </>
    ),
  }));
}

async function intakeItem(platform: Platform, request: FastifyRequest, id: string): Promise<Item> {
  const item = await getItemFor(platform.db, request.principal, id);
  if (item.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.itemNotPublished' } });
  return item;
}

// ---------------------------------------------------------------- the case page

interface ActionState {
  taskId: string;
  action: string;
  opinion: string;
  missing: string[];
  reasons: Record<string, string>;
  returnTo: string;
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
  const labels: Record<string, string> = { action: ctx.ta('page.approval.action.choose'), opinion: ctx.ta('page.approval.action.opinion'), missing: ctx.ta('page.approval.action.missing'), returnTo: ctx.ta('page.approval.action.returnTo') };
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
        <RadioGroup ctx={ctx} form={form} name="action" legend={labels.action} value={mine?.action ?? actions[0].value} options={actions} error={fields.action} required />
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
        <button type="submit" class="button">
          {ctx.t('page.approval.action.submit')}
        </button>
      </form>
    </section>
  );
}

/** A refused form of the case page: a task's decision or one of the panels. */
interface CaseFormState {
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
  const entries = timeline(ctx, view, people);
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
          {view.acceptedAt ? (
            <li>
              <a href={`/approval/applications/${attr(view.id)}/notices/acceptance`}>{ctx.t('approval.notice.acceptance')}</a>
            </li>
          ) : (
            ''
          )}
          {view.correction ? (
            <li>
              <a href={`/approval/applications/${attr(view.id)}/notices/correction`}>{ctx.t('approval.notice.correction')}</a>
            </li>
          ) : (
            ''
          )}
          {view.decision ? (
            <li>
              <a href={`/approval/applications/${attr(view.id)}/notices/rejection`}>{ctx.t(view.decision.notAccepted ? 'approval.notice.notAccepted' : 'approval.notice.rejected')}</a>
            </li>
          ) : (
            ''
          )}
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
      <section class="panel" aria-labelledby="case-timeline">
        <h2 id="case-timeline">{ctx.t('page.approval.case.timeline')}</h2>
        <ol class="role-list timeline">
          {entries.map(({ at, text, detail }) => (
            <li>
              <time datetime={attr(at)}>{dateOf(at, ctx)}</time> {text}
              {detail}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

async function renderCase(platform: Platform, request: FastifyRequest, reply: FastifyReply, id: string, state: CaseFormState = {}, status?: number) {
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

/**
 * Runs a panel form: `check` refuses what the page itself can tell is wrong, `run` calls the
 * service in one transaction. A refusal re-renders the case page with the messages at the form
 * (field names as the form has them, through `rename`); success goes back to the case page.
 */
async function panelPost<T>(
  platform: Platform,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  panel: Omit<PanelState, 'fields' | 'summary'>,
  run: (work: Work) => Promise<T>,
  flash: (value: T) => Flash,
  options: { check?: () => void; rename?: (error: FieldError) => FieldError } = {},
) {
  const lang = request.lang;
  const result = await attempt(lang, async () => {
    options.check?.();
    return inTransaction(platform.db, actorOf(request), run);
  });
  if (!result.ok) {
    const fields = options.rename ? fieldMessages(result.error.fieldErrors?.map(options.rename), lang) : result.fields;
    return renderCase(platform, request, reply, request.params.id, { panel: { ...panel, fields, summary: result.summary } }, result.error.status);
  }
  setFlash(reply, flash(result.value));
  return redirect(reply, `/console/approval/cases/${request.params.id}`);
}

/** The text fields of a panel form as typed (bounded), for re-rendering it. */
function panelValues(body: unknown, names: string[], max = 1000): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, formText(body, name).slice(0, max)]));
}

const panelForm = (form: PanelForm, values: Record<string, string>, taskId?: string): Omit<PanelState, 'fields' | 'summary'> => ({ form, values, ...(taskId ? { taskId } : {}) });

export async function workPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof IntakeQuery> }>('/console/approval/intake', { schema: { querystring: IntakeQuery }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const q = request.query.q?.trim() || undefined;
    const page = await listItems(platform.db, null, { q, cursor: request.query.cursor, limit: 20 });
    const units = await unitNames(platform.db, page.items.map((i) => i.unitId));
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.approval.intake.title'),
      lead: ctx.t('page.approval.intake.lead'),
      crumbs: [{ label: ctx.t('page.approval.intake.title') }],
      body: (
        <>
          <form method="get" action="/console/approval/intake" class="search-bar" role="search" aria-label={ctx.ta('page.approval.hall.search')}>
            <div class="field">
              <label for="intake-q">{ctx.t('page.approval.hall.q')}</label>
              <input class="input" id="intake-q" name="q" type="search" value={attr(q)} maxlength="100" />
            </div>
            <button type="submit" class="button">
              {ctx.t('page.approval.hall.searchButton')}
            </button>
          </form>
          {page.items.length ? (
            <>
              <DataTable id="intake-items" caption={ctx.t('page.approval.intake.caption')} head={[ctx.t('page.approval.guide.name'), ctx.t('page.approval.guide.code'), ctx.t('page.approval.guide.unit'), ctx.t('ui.actions')]}>
                {page.items.map((item) => (
                  <tr>
                    <td safe>{item.name}</td>
                    <td class="mono" safe>
                      {item.code}
                    </td>
                    <td safe>{units.get(item.unitId) ?? ''}</td>
                    <td class="cell-actions">
                      <a href={`/console/approval/intake/${attr(item.id)}`} aria-label={ctx.ta('page.approval.intake.startFor', { name: item.name })}>
                        {ctx.t('page.approval.intake.start')}
                      </a>
                    </td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.hall.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/console/approval/intake/:id', { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const item = await intakeItem(platform, request, request.params.id);
    return intakeForm(platform, request, reply, item, { values: emptyApplication(), submission: submissionToken(platform) });
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/approval/intake/:id', { schema: { params: IdParams, body: FormBody }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const item = await intakeItem(platform, request, request.params.id);
    const outcome = await submitFromForm(platform, request, item, 'window');
    if (!outcome.ok) {
      return intakeForm(platform, request, reply, item, { values: outcome.values, fields: outcome.fields, summary: outcome.summary, status: outcome.status, submission: outcome.submission ?? formText(request.body, '_submission') });
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.filed', params: { receiptNo: outcome.result.receiptNo } });
    return redirect(reply, `/console/approval/cases/${outcome.result.id}`);
  });

  app.get<{ Querystring: Static<typeof TasksQuery> }>('/console/approval/tasks', { schema: { querystring: TasksQuery }, config: { auth: 'approval.tasks' } }, async (request, reply) => {
    const page = await listMyTasks(platform, request.principal!, { limit: 50, cursor: request.query.cursor, lang: request.lang });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.approval.tasks.title'),
      lead: ctx.t('page.approval.tasks.lead'),
      crumbs: [{ label: ctx.t('page.approval.tasks.title') }],
      body: page.items.length ? (
        <>
          <DataTable
            id="tasks"
            caption={ctx.t('page.approval.tasks.caption', { count: page.items.length })}
            head={[ctx.t('page.approval.tasks.remaining'), ctx.t('page.approval.case.stepDue'), ctx.t('page.approval.case.receiptNo'), ctx.t('page.approval.guide.name'), ctx.t('page.approval.case.step'), ctx.t('page.approval.case.applicant'), ctx.t('page.approval.case.state')]}
          >
            {page.items.map((t) => (
              <tr>
                <td>
                  <DeadlineTag ctx={ctx} remaining={t.remainingWorkingDays} suspended={t.suspended} />
                </td>
                <td safe>{t.dueDate}</td>
                <td>
                  <a href={`/console/approval/cases/${attr(t.caseId)}`} class="mono" aria-label={ctx.ta('page.approval.tasks.open', { receiptNo: t.receiptNo, step: t.stepName })}>
                    {Html.escapeHtml(t.receiptNo)}
                  </a>
                </td>
                <td safe>{t.itemName}</td>
                <td safe>{t.stepName}</td>
                <td safe>{t.applicantName}</td>
                <td>{t.caseState ? <StateTag ctx={ctx} state={t.caseState} /> : ''}</td>
              </tr>
            ))}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
        </>
      ) : (
        <EmptyState>{ctx.t('page.approval.tasks.none')}</EmptyState>
      ),
    }));
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/console/approval/cases/:id', { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: 'user' } }, async (request, reply) =>
    renderCase(platform, request, reply, request.params.id),
  );

  app.post<{ Params: Static<typeof TaskParams>; Body: Static<typeof FormBody> }>('/console/approval/cases/:id/tasks/:taskId', { schema: { params: TaskParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const lang = request.lang;
    const { id, taskId } = request.params;
    const body = request.body;
    const missing = formList(body, 'missing').filter((k) => /^[a-z][a-z0-9_]{0,39}$/.test(k)).slice(0, 100);
    const reasons: Record<string, string> = {};
    for (const key of missing) reasons[key] = formText(body, `reason.${key}`).slice(0, 500);
    const state: ActionState = { taskId, action: formText(body, 'action'), opinion: formText(body, 'opinion').slice(0, 2000), missing, reasons, returnTo: formText(body, 'returnTo') };
    const version = Number(formText(body, 'expectedVersion'));
    const result = await attempt(lang, async () => {
      if (!(TASK_ACTIONS as readonly string[]).includes(state.action)) throw invalid([fieldError('action', 'page.approval.action.chooseOne')]);
      const action = state.action as TaskAction;
      return inTransaction(platform.db, actorOf(request), (work) =>
        completeApprovalTask(work, platform, request.principal!, taskId, {
          action,
          opinion: state.opinion || undefined,
          ...(action === 'request_correction' ? { missing: missing.map((materialKey) => ({ materialKey, reason: reasons[materialKey] })) } : {}),
          ...(action === 'return' && state.returnTo ? { returnTo: state.returnTo } : {}),
          ...(Number.isInteger(version) && version > 0 ? { expectedVersion: version } : {}),
        }),
      );
    });
    if (!result.ok) {
      const fields: FieldMessages = {};
      for (const e of result.error.fieldErrors ?? []) {
        const row = /^missing\.(\d+)\.(\w+)$/.exec(e.path);
        const name = row ? (row[2] === 'reason' ? `reason.${missing[Number(row[1])]}` : 'missing') : e.path;
        const message = renderMessage(e.message, lang);
        fields[name] = fields[name] ? `${fields[name]}；${message}` : message;
      }
      const summary = result.error.code === 'CONFLICT' ? translate(lang, 'page.approval.action.conflict') : result.summary;
      return renderCase(platform, request, reply, id, { action: { ...state, fields, summary } }, result.error.status);
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.done', params: { state: translate(lang, `page.approval.state.${result.value.state}`) } });
    return redirect(reply, `/console/approval/cases/${id}`);
  });

  type PanelRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };

  app.post<PanelRoute>('/console/approval/cases/:id/clock-stops', { schema: CaseFormSchema, config: { auth: 'approval.handle' } }, async (request, reply) => {
    const values = panelValues(request.body, ['reason', 'note']);
    return panelPost(
      platform,
      request,
      reply,
      panelForm('clockStop', values),
      (work) => startClockStop(work, platform, request.principal!, request.params.id, { reason: values.reason as ManualStop, note: values.note }),
      () => ({ kind: 'success', key: 'flash.approval.clockStopped' }),
      {
        check: () => {
          const errors = [];
          if (!(MANUAL_STOPS as readonly string[]).includes(values.reason)) errors.push(fieldError('reason', 'page.approval.clockStop.chooseReason'));
          if (!values.note) errors.push(fieldError('note', 'approval.app.reasonRequired'));
          if (errors.length) throw invalid(errors);
        },
      },
    );
  });

  app.post<PanelRoute>('/console/approval/cases/:id/clock-stops/resume', { schema: CaseFormSchema, config: { auth: 'approval.handle' } }, async (request, reply) => {
    const values = panelValues(request.body, ['note']);
    return panelPost(
      platform,
      request,
      reply,
      panelForm('resume', values),
      (work) => endClockStop(work, platform, request.principal!, request.params.id, { note: values.note || undefined }),
      (result) => ({ kind: 'success', key: 'flash.approval.clockResumed', params: { due: result.dueDate ?? '' } }),
    );
  });

  app.post<PanelRoute>('/console/approval/cases/:id/extensions', { schema: CaseFormSchema, config: { auth: 'approval.lead' } }, async (request, reply) => {
    const values = panelValues(request.body, ['days', 'reason']);
    const days = /^\d{1,3}$/.test(values.days) ? Number(values.days) : NaN;
    return panelPost(
      platform,
      request,
      reply,
      panelForm('extension', values),
      (work) => extendApplication(work, platform, request.principal!, request.params.id, { days, reason: values.reason }),
      (result) => ({ kind: 'success', key: 'flash.approval.extended', params: { days, due: result.dueDate ?? '' } }),
      {
        check: () => {
          const errors = [];
          // Beyond the limit is the service's to say: it knows how many days are left.
          if (!(days >= 1)) errors.push(fieldError('days', 'page.approval.extension.daysInvalid', { max: MAX_EXTENSION_DAYS }));
          if (!values.reason) errors.push(fieldError('reason', 'approval.app.reasonRequired'));
          if (errors.length) throw invalid(errors);
        },
      },
    );
  });

  app.post<{ Params: Static<typeof TaskParams>; Body: Static<typeof FormBody> }>(
    '/console/approval/cases/:id/tasks/:taskId/reassign',
    { schema: { params: TaskParams, body: FormBody }, config: { auth: 'approval.lead' } },
    async (request, reply) => {
      const { id, taskId } = request.params;
      const values = panelValues(request.body, ['userId'], 100);
      let name = '';
      return panelPost(
        platform,
        request,
        reply,
        panelForm('reassign', values, taskId),
        async (work) => {
          const result = await reassignTask(work, platform, request.principal!, taskId, { userId: values.userId });
          // A task of another case posted under this one: nothing is changed.
          if (result.caseId !== id) throw notFound();
          name = (await displayNames(work.tx, [result.assignee])).get(result.assignee) ?? '';
          return result;
        },
        () => ({ kind: 'success', key: 'flash.approval.reassigned', params: { name } }),
        {
          check: () => {
            if (!values.userId) throw invalid([fieldError('userId', 'page.approval.reassign.chooseOne')]);
          },
        },
      );
    },
  );

  app.post<PanelRoute>('/console/approval/cases/:id/fees', { schema: CaseFormSchema, config: { auth: 'user' } }, async (request, reply) => {
    const values = panelValues(request.body, ['amount', 'note'], 200);
    const amountFen = fenOf(values.amount.replace(/[\s,，]/g, ''), { signed: true });
    return panelPost(
      platform,
      request,
      reply,
      panelForm('fee', values),
      (work) => recordFee(work, platform, request.principal!, request.params.id, { amountFen: amountFen!, note: values.note || undefined }),
      (result) => ({ kind: 'success', key: 'flash.approval.feeRecorded', params: { amount: yuan(result.amountFen), total: yuan(result.totalFen) } }),
      {
        check: () => {
          if (amountFen === null) throw invalid([fieldError('amount', 'page.approval.fee.amountInvalid')]);
          if (Math.abs(amountFen) > MAX_FEE_FEN) throw invalid([fieldError('amount', 'page.approval.fee.amountTooLarge', { max: yuan(MAX_FEE_FEN) })]);
        },
        // The service speaks of fen (amountFen); the form of yuan (amount).
        rename: (error) => {
          if (error.path !== 'amountFen') return error;
          const message = 'key' in error.message && error.message.key === 'approval.app.refundTooLarge' ? { key: 'page.approval.fee.refundTooLarge', params: { total: yuan(Number(error.message.params?.totalFen ?? 0)) } } : error.message;
          return { path: 'amount', message };
        },
      },
    );
  });
}

