/**
 * The staff side of cases: the task inbox (oldest deadline first, time left in words and colour)
 * and the forms of the case page (the decision on a task, clock stops, extensions, reassignment,
 * fees). The page itself is case-page.tsx; the window intake, intake.tsx.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf, fieldError, invalid, notFound, renderMessage, type FieldError } from '../../../platform/http/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { displayNames } from '../../../platform/iam/index.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, DataTable, EmptyState, FormBody, formList, fieldMessages, formText, PageQueryFields, Pagination, redirect, setFlash, type FieldMessages, type Flash } from '../../../platform/views/index.ts';
import { TASK_ACTIONS, type TaskAction } from '../model.ts';
import { listMyTasks } from '../tasks.ts';
import { completeApprovalTask } from '../commands/complete-task.ts';
import { extendApplication, MAX_EXTENSION_DAYS } from '../commands/extend-deadline.ts';
import { MAX_FEE_FEN, recordFee } from '../commands/record-fee.ts';
import { MANUAL_STOPS, startClockStop, type ManualStop } from '../commands/stop-clock.ts';
import { endClockStop } from '../commands/resume-clock.ts';
import { reassignTask } from '../commands/reassign-task.ts';
import { type PanelForm, type PanelState } from './case-panels.tsx';
import { fenOf, yuan } from './editor.ts';
import { DeadlineTag, StateTag } from './components.tsx';
import { renderCase, type ActionState } from './case-page.tsx';

const IdParams = Strict({ id: Id });
const TaskParams = Strict({ id: Id, taskId: Id });
const CaseFormSchema = { params: IdParams, body: FormBody };
const PlainQuery = Strict({ ...PageQueryFields });
const TasksQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

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
    const confirmed = formText(body, 'confirm') === '1';
    const state: ActionState = { taskId, action: formText(body, 'action'), opinion: formText(body, 'opinion').slice(0, 2000), missing, reasons, returnTo: formText(body, 'returnTo'), confirmed };
    const version = Number(formText(body, 'expectedVersion'));
    const result = await attempt(lang, async () => {
      // Nothing chosen is a field error, never an acceptance; 受理 and 不予受理 need the box ticked too (all errors at once).
      const chosen = (TASK_ACTIONS as readonly string[]).includes(state.action);
      const errors = chosen ? [] : [fieldError('action', 'page.approval.action.chooseOne')];
      if (formText(body, 'confirmable') === '1' && !confirmed && (!chosen || state.action === 'accept' || state.action === 'reject')) errors.push(fieldError('confirm', 'page.approval.action.confirmRequired'));
      if (errors.length) throw invalid(errors);
      const action = state.action as TaskAction;
      return inTransaction(platform.db, actorOf(request), (work) =>
        completeApprovalTask(work, platform, request.principal!, taskId, {
          action,
          opinion: state.opinion || undefined,
          ...(action === 'request_correction' ? { missing: missing.map((materialKey) => ({ materialKey, reason: reasons[materialKey] })) } : {}),
          ...(action === 'return' && state.returnTo ? { returnTo: state.returnTo } : {}),
          ...(Number.isInteger(version) && version > 0 ? { expectedVersion: version } : {}),
          confirmation: { required: true, given: confirmed },
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

