/**
 * The console's 政民互动 pages for handling: the unit's inbox (来信办理, tabs by state, open first
 * by due date, overdue marked), one case (the letter escaped, routing history, due date, the
 * actions the caller may take, the answer editor and the leader's approval), and the forms'
 * handlers: each posts, then goes back to the page with a message. No script needed.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import type { DashboardCounter, Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole, type NavGroup } from '../../../platform/console/index.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { attr, Csrf, DataTable, EmptyState, FormBody, formatDateTime, formRaw, formText, Notice, PageQueryFields, Pagination, PostButton, redirect, setFlash, type Flash, type ViewContext } from '../../../platform/views/index.ts';
import { ANSWER_TYPES, APPROVE_PERMISSION, CASE_STATES, DISPATCH_PERMISSION, HANDLE_PERMISSION, LIMITS, MAX_EXTENSION_DAYS, type CaseState } from '../model.ts';
import { countOpenSteps, getCaseView, listCases, mergeCandidates, OPEN_STATES, unitChoices, type CaseListItem, type CaseView } from '../queries/cases.ts';
import { assignCase } from '../commands/assign-case.ts';
import { passCase } from '../commands/pass-case.ts';
import { transferBack } from '../commands/transfer-back.ts';
import { askClarification } from '../commands/ask-clarification.ts';
import { mergeCases } from '../commands/merge-cases.ts';
import { draftAnswer } from '../commands/draft-answer.ts';
import { AnswerFilesField, answerFilesOf, CaseFiles } from './case-files.tsx';
import { registerLetterUploads } from './letter-uploads.ts';
import { approveAnswer } from '../commands/approve-answer.ts';
import { returnAnswer } from '../commands/return-answer.ts';
import { extendCase } from '../commands/extend-case.ts';
import { dispatchPages } from './console-dispatch.tsx';
import { hasPermission } from '../../../platform/iam/principal.ts';

/** The console's 政民互动 menu: the handling pages (the other parts add theirs). */
export const handlingNav: NavGroup = {
  id: 'interaction',
  key: 'page.interaction.nav.group',
  items: [
    { href: '/console/interaction/dispatch', key: 'page.interaction.nav.dispatch', permission: DISPATCH_PERMISSION },
    { href: '/console/interaction/cases', key: 'page.interaction.nav.cases', permission: HANDLE_PERMISSION },
  ],
};

/** 待分办来信, 待办理来信, 待审核答复: the caller's open steps of the cases' rounds. */
export const handlingCounters: DashboardCounter[] = [
  { id: 'interaction.dispatch', key: 'interaction.dashboard.dispatch', permission: DISPATCH_PERMISSION, href: '/console/interaction/dispatch', count: (platform, principal) => countOpenSteps(platform.db, principal, 'dispatch') },
  { id: 'interaction.handle', key: 'interaction.dashboard.handle', permission: HANDLE_PERMISSION, href: '/console/interaction/cases?state=assigned', count: (platform, principal) => countOpenSteps(platform.db, principal, 'handle') },
  { id: 'interaction.review', key: 'interaction.dashboard.review', permission: APPROVE_PERMISSION, href: '/console/interaction/cases?state=reviewing', count: (platform, principal) => countOpenSteps(platform.db, principal, 'review') },
];

const TABS = ['open', 'received', 'assigned', 'clarifying', 'reviewing', 'answered', 'all'] as const;
const InboxQuery = Strict({ state: Type.Optional(Type.Union(TABS.map((s) => Type.Literal(s)))), cursor: Type.Optional(Type.String({ maxLength: 300 })), ...PageQueryFields });
const IdParams = Strict({ id: Id });
type FormRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };

export function StateTag({ ctx, state }: { ctx: ViewContext; state: CaseState }) {
  const tone = state === 'answered' ? 'tag-ok' : state === 'merged' ? '' : 'tag-workday';
  return <span class={`tag ${tone}`}>{ctx.t(`page.interaction.state.${state}`)}</span>;
}

export function DueDate({ ctx, dueDate, overdue }: { ctx: ViewContext; dueDate: string; overdue: boolean }) {
  return (
    <>
      <span safe>{dueDate}</span>
      {overdue ? (
        <>
          {' '}
          <span class="tag tag-off">{ctx.t('page.interaction.overdue')}</span>
        </>
      ) : (
        ''
      )}
    </>
  );
}

export function CaseRows({ ctx, items, id, caption, actions }: { ctx: ViewContext; items: CaseListItem[]; id: string; caption: string; actions?: (item: CaseListItem) => JSX.Element }) {
  const head = ['letter', 'channel', 'writer', 'unit', 'state', 'due', ...(actions ? ['actions'] : [])].map((c) => <>{ctx.t(`page.interaction.col.${c}`)}</>);
  return (
    <DataTable id={id} stack caption={<>{Html.escapeHtml(caption)}</>} head={head}>
      {items.map((item) => (
        <tr>
          <td>
            <a href={`/console/interaction/cases/${attr(item.id)}`}>{Html.escapeHtml(item.title)}</a>
            <br />
            <span class="muted mono" safe>
              {item.trackingNo}
            </span>
          </td>
          <td data-label={ctx.ta('page.interaction.col.channel')}>{ctx.t(`page.interaction.channel.${item.channel}`)}</td>
          <td data-label={ctx.ta('page.interaction.col.writer')} safe>
            {item.writerNameMasked}
          </td>
          <td data-label={ctx.ta('page.interaction.col.unit')} safe>
            {item.handlingUnitName}
          </td>
          <td data-label={ctx.ta('page.interaction.col.state')}>
            <StateTag ctx={ctx} state={item.state} />
          </td>
          <td data-label={ctx.ta('page.interaction.col.due')}>
            <DueDate ctx={ctx} dueDate={item.dueDate} overdue={item.overdue} />
          </td>
          {actions ? <td>{actions(item)}</td> : ''}
        </tr>
      ))}
    </DataTable>
  );
}

/** The letter's text, escaped, one paragraph per line. */
function LetterText({ text }: { text: string }) {
  return (
    <div class="guide">
      {text.split(/\r?\n/).map((line) => (
        <p safe>{line}</p>
      ))}
    </div>
  );
}

function eventText(ctx: ViewContext, e: CaseView['events'][number]): string {
  return ctx.ta(`page.interaction.event.${e.type}`, { unit: e.unitName ?? '', from: e.fromUnitName ?? '', days: typeof e.details.days === 'number' ? e.details.days : '' });
}

function TextArea({ id, name, label, rows, maxlength, required, value }: { id: string; name: string; label: string; rows: number; maxlength: number; required?: boolean; value?: string }) {
  return (
    <div class="field">
      <label class="label" for={attr(id)}>
        {Html.escapeHtml(label)}
      </label>
      <textarea class="input" id={attr(id)} name={attr(name)} rows={String(rows)} maxlength={maxlength} required={required}>
        {Html.escapeHtml(value ?? '')}
      </textarea>
    </div>
  );
}

function UnitSelect({ ctx, id, units }: { ctx: ViewContext; id: string; units: Array<{ id: string; name: string }> }) {
  return (
    <div class="field">
      <label class="label" for={attr(id)}>
        {ctx.t('page.interaction.form.unit')}
      </label>
      <select class="select" id={attr(id)} name="unitId" required>
        <option value="">{ctx.t('page.interaction.form.choose')}</option>
        {units.map((u) => (
          <option value={attr(u.id)}>{Html.escapeHtml(u.name)}</option>
        ))}
      </select>
    </div>
  );
}

function ActionForm({ ctx, action, title, submit, children, open }: { ctx: ViewContext; action: string; title: string; submit: string; children: JSX.Element; open?: boolean }) {
  return (
    <details open={open}>
      <summary>{Html.escapeHtml(title)}</summary>
      <form method="post" action={attr(action)} class="stack">
        <Csrf ctx={ctx} />
        {children}
        <button type="submit" class="button button-secondary">
          {Html.escapeHtml(submit)}
        </button>
      </form>
    </details>
  );
}

interface Choices {
  assignUnits: Array<{ id: string; name: string }>;
  passUnits: Array<{ id: string; name: string }>;
  mergeInto: Array<{ id: string; tracking_no: string; title: string }>;
}

function CasePage({ ctx, view, choices }: { ctx: ViewContext; view: CaseView; choices: Choices }) {
  const base = `/console/interaction/cases/${view.id}`;
  const may = view.may;
  const disclosure = view.channel === 'disclosure_request';
  return (
    <>
      {view.readOnly ? <Notice kind="info">{ctx.t('page.interaction.case.readOnly')}</Notice> : ''}
      {view.mergedIntoId ? (
        <Notice kind="info">
          <a href={`/console/interaction/cases/${attr(view.mergedIntoId)}`}>{ctx.t('page.interaction.case.mergedInto')}</a>
        </Notice>
      ) : (
        ''
      )}
      <div class="panel-grid">
        <section class="panel" aria-labelledby="facts-heading">
          <h2 id="facts-heading">{ctx.t('page.interaction.case.facts')}</h2>
          <dl class="item-card-facts">
            <dt>{ctx.t('page.interaction.case.trackingNo')}</dt>
            <dd class="mono" safe>
              {view.trackingNo}
            </dd>
            <dt>{ctx.t('page.interaction.col.channel')}</dt>
            <dd>{ctx.t(`page.interaction.channel.${view.channel}`)}</dd>
            <dt>{ctx.t('page.interaction.col.state')}</dt>
            <dd>
              <StateTag ctx={ctx} state={view.state} />
            </dd>
            <dt>{ctx.t('page.interaction.col.unit')}</dt>
            <dd safe>{view.handlingUnitName}</dd>
            {view.currentStep ? (
              <>
                <dt>{ctx.t('page.interaction.case.step')}</dt>
                <dd>{ctx.t('page.interaction.case.stepDue', { step: ctx.ta(`page.interaction.task.${view.currentStep.key}`), date: view.currentStep.dueDate })}</dd>
              </>
            ) : (
              ''
            )}
            <dt>{ctx.t('page.interaction.case.receivedAt')}</dt>
            <dd safe>{formatDateTime(view.receivedAt, ctx.lang)}</dd>
            <dt>{ctx.t('page.interaction.col.due')}</dt>
            <dd>
              <DueDate ctx={ctx} dueDate={view.dueDate} overdue={view.overdue} />
              {view.stoppedDays ? <span class="muted"> {ctx.t('page.interaction.case.stopped', { days: view.stoppedDays })}</span> : ''}
            </dd>
            <dt>{ctx.t('page.interaction.case.writer')}</dt>
            <dd safe>{view.writer?.name ?? view.writerNameMasked}</dd>
            {view.writer ? (
              <>
                <dt>{ctx.t('page.interaction.case.phone')}</dt>
                <dd class="mono" safe>
                  {view.writer.phone}
                </dd>
              </>
            ) : (
              ''
            )}
            <dt>{ctx.t('page.interaction.case.public')}</dt>
            <dd>{ctx.t(view.isPublic ? 'page.interaction.case.yes' : 'page.interaction.case.no')}</dd>
          </dl>
        </section>
        <section class="panel" aria-labelledby="history-heading">
          <h2 id="history-heading">{ctx.t('page.interaction.case.history')}</h2>
          <ol class="stack">
            {view.events.map((e) => (
              <li>
                <span class="muted" safe>
                  {formatDateTime(e.at, ctx.lang)}
                </span>{' '}
                {Html.escapeHtml(eventText(ctx, e))}
                {e.actorName ? <span class="muted"> · {Html.escapeHtml(e.actorName)}</span> : ''}
                {typeof e.details.reason === 'string' ? <p safe>{e.details.reason}</p> : ''}
                {typeof e.details.question === 'string' ? <p safe>{e.details.question}</p> : ''}
                {typeof e.details.text === 'string' ? <p safe>{e.details.text}</p> : ''}
                {typeof e.details.note === 'string' ? <p safe>{e.details.note}</p> : ''}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <section class="panel" aria-labelledby="letter-heading">
        <h2 id="letter-heading">{ctx.t('page.interaction.case.letter')}</h2>
        <h3 safe>{view.title}</h3>
        <LetterText text={view.body} />
        <CaseFiles ctx={ctx} files={view.attachments} titleKey="page.interaction.case.attachments" id="letter-files" />
      </section>
      {view.answer ? (
        <section class="panel" aria-labelledby="answer-heading">
          <h2 id="answer-heading">{ctx.t('page.interaction.case.answer')}</h2>
          {view.answer.answerType ? <p>{ctx.t(`page.interaction.answerType.${view.answer.answerType}`)}</p> : ''}
          <LetterText text={view.answer.body} />
          <CaseFiles ctx={ctx} files={view.answer.attachments} titleKey="page.interaction.case.answerAttachments" id="answer-files-sent" />
          {view.answer.approvedByName ? <p class="muted">{ctx.t('page.interaction.case.approvedBy', { name: view.answer.approvedByName })}</p> : ''}
        </section>
      ) : (
        ''
      )}
      {view.draft && !view.readOnly ? (
        <section class="panel" aria-labelledby="draft-heading">
          <h2 id="draft-heading">{ctx.t('page.interaction.case.draft')}</h2>
          {view.draft.answerType ? <p>{ctx.t(`page.interaction.answerType.${view.draft.answerType}`)}</p> : ''}
          <LetterText text={view.draft.body} />
          <CaseFiles ctx={ctx} files={view.draft.attachments} titleKey="page.interaction.case.answerAttachments" id="answer-files-draft" />
          {view.draft.publish ? <p class="muted">{ctx.t('page.interaction.case.publishOnBoard')}</p> : ''}
          {may.approve ? <PostButton ctx={ctx} action={`${base}/approve-answer`} label={ctx.ta('page.interaction.form.approve')} /> : ''}
          {may.return ? (
            <ActionForm ctx={ctx} action={`${base}/return-answer`} title={ctx.ta('page.interaction.form.return')} submit={ctx.ta('page.interaction.form.return')}>
              <TextArea id="return-reason" name="reason" label={ctx.ta('page.interaction.form.returnReason')} rows={3} maxlength={LIMITS.reason} required />
            </ActionForm>
          ) : (
            ''
          )}
        </section>
      ) : (
        ''
      )}
      {may.answer ? (
        <section class="panel" aria-labelledby="answer-form-heading">
          <h2 id="answer-form-heading">{ctx.t('page.interaction.form.answer')}</h2>
          <form method="post" action={attr(`${base}/answer`)} enctype="multipart/form-data" class="stack form-wide">
            <Csrf ctx={ctx} />
            {disclosure ? (
              <div class="field">
                <label class="label" for="answer-type">
                  {ctx.t('page.interaction.form.answerType')}
                </label>
                <select class="select" id="answer-type" name="answerType" required>
                  <option value="">{ctx.t('page.interaction.form.choose')}</option>
                  {ANSWER_TYPES.map((t) => (
                    <option value={t} selected={view.draft?.answerType === t}>
                      {ctx.t(`page.interaction.answerType.${t}`)}
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              ''
            )}
            <TextArea id="answer-body" name="body" label={ctx.ta('page.interaction.form.answerBody')} rows={12} maxlength={LIMITS.answer} required value={view.draft?.body} />
            <AnswerFilesField ctx={ctx} kept={view.draft?.attachments ?? []} />
            {view.publicChannel && view.isPublic ? (
              <label class="checkbox">
                <input type="checkbox" name="publish" value="1" checked={view.draft?.publish} /> {ctx.t('page.interaction.case.publishOnBoard')}
              </label>
            ) : (
              ''
            )}
            <button type="submit" class="button button-primary">
              {ctx.t('page.interaction.form.answerSubmit')}
            </button>
          </form>
        </section>
      ) : (
        ''
      )}
      {may.extend ? (
        <section class="panel stack" aria-labelledby="extend-heading">
          <h2 id="extend-heading">{ctx.t('page.interaction.form.extend')}</h2>
          <form method="post" action={attr(`${base}/extend`)} class="stack">
            <Csrf ctx={ctx} />
            <div class="field">
              <label class="label" for="extend-days">
                {ctx.t('page.interaction.form.extendDays', { max: MAX_EXTENSION_DAYS })}
              </label>
              <input class="input" type="number" id="extend-days" name="days" min="1" max={String(MAX_EXTENSION_DAYS)} step="1" inputmode="numeric" required value={String(MAX_EXTENSION_DAYS)} />
            </div>
            <TextArea id="extend-reason" name="reason" label={ctx.ta('page.interaction.form.extendReason')} rows={3} maxlength={LIMITS.reason} required />
            <button type="submit" class="button button-secondary">
              {ctx.t('page.interaction.form.extendSubmit')}
            </button>
          </form>
        </section>
      ) : (
        ''
      )}
      {may.assign || may.pass || may.transferBack || may.clarify || may.merge ? (
        <section class="panel stack" aria-labelledby="actions-heading">
          <h2 id="actions-heading">{ctx.t('page.interaction.col.actions')}</h2>
          {may.assign ? (
            <ActionForm ctx={ctx} action={`${base}/assign`} title={ctx.ta('page.interaction.form.assign')} submit={ctx.ta('page.interaction.form.assign')} open>
              <>
                <UnitSelect ctx={ctx} id="assign-unit" units={choices.assignUnits} />
                <TextArea id="assign-note" name="note" label={ctx.ta('page.interaction.form.note')} rows={2} maxlength={LIMITS.reason} />
              </>
            </ActionForm>
          ) : (
            ''
          )}
          {may.pass && choices.passUnits.length ? (
            <ActionForm ctx={ctx} action={`${base}/pass`} title={ctx.ta('page.interaction.form.pass')} submit={ctx.ta('page.interaction.form.passSubmit')}>
              <>
                <UnitSelect ctx={ctx} id="pass-unit" units={choices.passUnits} />
                <TextArea id="pass-note" name="note" label={ctx.ta('page.interaction.form.note')} rows={2} maxlength={LIMITS.reason} />
              </>
            </ActionForm>
          ) : (
            ''
          )}
          {may.transferBack ? (
            <ActionForm ctx={ctx} action={`${base}/transfer-back`} title={ctx.ta('page.interaction.form.transferBack')} submit={ctx.ta('page.interaction.form.transferSubmit')}>
              <TextArea id="transfer-reason" name="reason" label={ctx.ta('page.interaction.form.reason')} rows={3} maxlength={LIMITS.reason} required />
            </ActionForm>
          ) : (
            ''
          )}
          {may.clarify ? (
            <ActionForm ctx={ctx} action={`${base}/clarification`} title={ctx.ta('page.interaction.form.clarify')} submit={ctx.ta('page.interaction.form.clarifySubmit')}>
              <TextArea id="clarify-question" name="question" label={ctx.ta('page.interaction.form.question')} rows={3} maxlength={LIMITS.reason} required />
            </ActionForm>
          ) : (
            ''
          )}
          {may.merge && choices.mergeInto.length ? (
            <ActionForm ctx={ctx} action={`${base}/merge`} title={ctx.ta('page.interaction.form.merge')} submit={ctx.ta('page.interaction.form.mergeSubmit')}>
              <div class="field">
                <label class="label" for="merge-into">
                  {ctx.t('page.interaction.form.into')}
                </label>
                <select class="select" id="merge-into" name="intoId" required>
                  <option value="">{ctx.t('page.interaction.form.choose')}</option>
                  {choices.mergeInto.map((c) => (
                    <option value={attr(c.id)}>{Html.escapeHtml(`${c.tracking_no} ${c.title}`)}</option>
                  ))}
                </select>
              </div>
            </ActionForm>
          ) : (
            ''
          )}
        </section>
      ) : (
        ''
      )}
    </>
  );
}

/** Runs a form's command in one transaction; a refusal comes back as a message on the page it leads to. */
async function formPost<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, target: string, run: (work: Work) => Promise<T>) {
  let flash: Flash = { kind: 'success', key: 'flash.interaction.done' };
  try {
    await inTransaction(platform.db, actorOf(request), run);
  } catch (error) {
    // A refusal the user can correct (bad input, the case moved on) comes back as a message; anything else is the error page.
    if (!(error instanceof AppError) || ![400, 409, 422].includes(error.status)) throw error;
    const problem = error.toProblem(request.lang);
    const message = [problem.detail, ...(problem.errors ?? []).map((e) => e.message)].join(' ');
    flash = { kind: 'error', key: 'flash.interaction.failed', params: { message } };
  }
  setFlash(reply, flash);
  return redirect(reply, target);
}

export async function handlingPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  // The answer form posts its documents with it (multipart); the other forms are unchanged.
  await registerLetterUploads(app, platform, { staff: true });
  await dispatchPages(app, platform);

  // The unit's responders handle the cases, its leader approves their answers (待审核答复 leads here).
  app.get<{ Querystring: Static<typeof InboxQuery> }>('/console/interaction/cases', { schema: { querystring: InboxQuery }, config: { auth: 'user' } }, async (request, reply) => {
    if (![HANDLE_PERMISSION, APPROVE_PERMISSION].some((p) => hasPermission(request.principal!, p))) throw new AppError('FORBIDDEN');
    const tab = request.query.state ?? 'open';
    const today = shanghaiDate(platform.clock.now());
    const page = await listCases(
      platform.db,
      request.principal!,
      { limit: 20, cursor: request.query.cursor, ...(tab === 'open' ? { states: OPEN_STATES } : tab === 'all' ? {} : { state: tab as CaseState }) },
      today,
    );
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.interaction.cases.title'),
      lead: ctx.t('page.interaction.cases.lead'),
      crumbs: [{ label: ctx.t('page.interaction.cases.title') }],
      body: (
        <>
          <nav class="tabs" aria-label={ctx.ta('page.interaction.col.state')}>
            <ul>
              {TABS.map((t) => (
                <li>
                  <a href={`/console/interaction/cases?state=${t}`} aria-current={t === tab ? 'page' : undefined}>
                    {ctx.t((CASE_STATES as readonly string[]).includes(t) ? `page.interaction.state.${t}` : `page.interaction.tab.${t}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {page.items.length ? (
            <>
              <CaseRows ctx={ctx} items={page.items} id="cases" caption={ctx.ta('page.interaction.cases.caption', { count: page.items.length })} />
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.interaction.cases.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof IdParams> }>('/console/interaction/cases/:id', { schema: { params: IdParams }, config: { auth: 'user' } }, async (request, reply) => {
    const view = await inTransaction(platform.db, actorOf(request), (work) => getCaseView(work, platform, request.principal!, request.params.id));
    const unit = { id: view.handlingUnitId, regionCode: '' };
    const [assignUnits, passUnits, mergeInto] = await Promise.all([
      view.may.assign ? unitChoices(platform.db) : Promise.resolve([]),
      view.may.pass ? unitRegion(platform, unit).then((u) => unitChoices(platform.db, u)) : Promise.resolve([]),
      view.may.merge ? mergeCandidates(platform.db, { id: view.id, handlingUnitId: view.handlingUnitId }) : Promise.resolve([]),
    ]);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: <>{Html.escapeHtml(view.title)}</>,
      crumbs: [{ href: '/console/interaction/cases', label: ctx.t('page.interaction.cases.title') }, { label: view.trackingNo }],
      body: <CasePage ctx={ctx} view={view} choices={{ assignUnits, passUnits, mergeInto }} />,
    }));
  });

  const page = (id: string) => `/console/interaction/cases/${encodeURIComponent(id)}`;
  const back = (request: FastifyRequest<FormRoute>) => (formText(request.body, 'returnTo') === 'dispatch' ? '/console/interaction/dispatch' : page(request.params.id));
  const form = (path: string, run: (work: Work, request: FastifyRequest<FormRoute>) => Promise<unknown>) =>
    app.post<FormRoute>(`/console/interaction/cases/:id/${path}`, { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) =>
      formPost(platform, request, reply, back(request), (work) => run(work, request)),
    );
  const text = (request: FastifyRequest<FormRoute>, name: string, max: number) => formRaw(request.body, name).slice(0, max);
  form('assign', (w, r) => assignCase(w, platform, r.principal!, r.params.id, { unitId: formText(r.body, 'unitId'), note: text(r, 'note', LIMITS.reason) }));
  form('pass', (w, r) => passCase(w, platform, r.principal!, r.params.id, { unitId: formText(r.body, 'unitId'), note: text(r, 'note', LIMITS.reason) }));
  form('transfer-back', (w, r) => transferBack(w, platform, r.principal!, r.params.id, { reason: text(r, 'reason', LIMITS.reason) }));
  form('clarification', (w, r) => askClarification(w, platform, r.principal!, r.params.id, { question: text(r, 'question', LIMITS.reason) }));
  form('merge', (w, r) => mergeCases(w, platform, r.principal!, r.params.id, { intoId: formText(r.body, 'intoId') }));
  form('answer', async (w, r) =>
    draftAnswer(w, platform, r.principal!, r.params.id, { body: text(r, 'body', LIMITS.answer + 1), publish: formText(r.body, 'publish') === '1', answerType: formText(r.body, 'answerType') || undefined, attachments: await answerFilesOf(w, platform, r) }),
  );
  form('approve-answer', (w, r) => approveAnswer(w, platform, r.principal!, r.params.id));
  form('extend', (w, r) => extendCase(w, platform, r.principal!, r.params.id, { reason: text(r, 'reason', LIMITS.reason + 1), days: Number(formText(r.body, 'days') || 'NaN') }));
  form('return-answer', (w, r) => returnAnswer(w, platform, r.principal!, r.params.id, { reason: text(r, 'reason', LIMITS.reason) }));
}

async function unitRegion(platform: Platform, unit: { id: string }) {
  const row = await platform.db.withTables<{ units: { id: string; region_code: string } }>().selectFrom('units').select(['id', 'region_code']).where('id', '=', unit.id).executeTakeFirstOrThrow();
  return { id: row.id, regionCode: row.region_code };
}
