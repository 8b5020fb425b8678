/**
 * The 12345 operator's screen: the ticket entry form beside the knowledge-base search (an entry
 * answers a waiting ticket at once), the desk's recent tickets with their state, and a ticket's
 * page with 直接办结, 督办 and 回访. Every form posts and comes back without script.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole } from '../../../platform/console/index.ts';
import { getUnit, type OrgTables } from '../../../platform/org/service.ts';
import { attempt, attr, Csrf, DataTable, EmptyState, ErrorSummary, fieldMessages, FormBody, formRaw, formText, formatDateTime, PageQueryFields, redirect, SelectField, setFlash, TextField, type FieldMessages, type Flash, type ViewContext } from '../../../platform/views/index.ts';
import { HOTLINE_CATEGORIES, HOTLINE_PERMISSION, LIMITS, URGENCIES, type Urgency } from '../model.ts';
import { createTicket } from '../commands/create-ticket.ts';
import { closeTicket } from '../commands/close-ticket.ts';
import { superviseTicket } from '../commands/supervise-ticket.ts';
import { visitTicket } from '../commands/visit-ticket.ts';
import { operatorUnit, ownTicket, recentTickets, toTicketView, type TicketView } from '../queries/hotline.ts';
import { knowledgeCategories, searchKnowledge, type KnowledgeView } from '../queries/knowledge.ts';

const IdParams = Strict({ id: Id });
const ScreenQuery = Strict({ q: Type.Optional(Type.String({ maxLength: 50 })), kcategory: Type.Optional(Type.String({ maxLength: LIMITS.category })), ...PageQueryFields });
type FormRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };
const FORM = 'ticket';
const SCREEN = '/console/hotline';
const ticketPage = (id: string) => `/console/hotline/tickets/${encodeURIComponent(id)}`;

/** The regions a caller may be in: the installation's region tree down to the towns, indented by level. */
async function regionOptions(platform: Platform) {
  const rows = await platform.db.withTables<OrgTables>().selectFrom('regions').select(['code', 'name', 'level']).where('level', 'in', ['city', 'county', 'town']).orderBy('code').limit(2000).execute();
  const indent: Record<string, string> = { city: '', county: '　', town: '　　' };
  return rows.map((r) => ({ value: r.code, label: `${indent[r.level] ?? ''}${r.name}` }));
}

/** Text with its line breaks, wrapping anywhere on a narrow screen. */
export function Paragraphs({ text }: { text: string }) {
  return (
    <div class="guide">
      {text.split('\n').map((line) => (
        <p safe>{line}</p>
      ))}
    </div>
  );
}

function StateTag({ ctx, ticket }: { ctx: ViewContext; ticket: TicketView }) {
  return (
    <>
      <span class={ticket.state === 'answered' ? 'tag tag-ok' : 'tag'}>{ctx.t(`page.hotline.state.${ticket.state}`)}</span>
      {ticket.overdue ? <span class="tag tag-off">{ctx.t('page.hotline.recent.overdue')}</span> : ''}
      {ticket.supervisedAt ? <span class="tag">{ctx.t('page.hotline.recent.supervised')}</span> : ''}
    </>
  );
}

function TicketForm({ ctx, values, fields, summary, regions }: { ctx: ViewContext; values: Record<string, string>; fields: FieldMessages; summary?: string; regions: Array<{ value: string; label: string }> }) {
  const labels = {
    callerName: ctx.ta('page.hotline.form.callerName'),
    phone: ctx.ta('page.hotline.form.phone'),
    regionCode: ctx.ta('page.hotline.form.region'),
    category: ctx.ta('page.hotline.form.category'),
    urgency: ctx.ta('page.hotline.form.urgency'),
    title: ctx.ta('page.hotline.form.title.label'),
    body: ctx.ta('page.hotline.form.body'),
  };
  return (
    <section class="panel" aria-labelledby="ticket-form-title">
      <h2 id="ticket-form-title">{ctx.t('page.hotline.form.title')}</h2>
      <ErrorSummary ctx={ctx} form={FORM} summary={summary} fields={fields} labels={labels} />
      <form method="post" action="/console/hotline/tickets" novalidate>
        <Csrf ctx={ctx} />
        <TextField ctx={ctx} form={FORM} name="callerName" label={labels.callerName} value={values.callerName} error={fields.callerName} required maxlength={LIMITS.name} autocomplete="off" />
        <TextField ctx={ctx} form={FORM} name="phone" type="tel" label={labels.phone} hint={ctx.ta('page.hotline.form.phoneHint')} value={values.phone} error={fields.phone} required maxlength={20} inputmode="tel" autocomplete="off" />
        <SelectField ctx={ctx} form={FORM} name="regionCode" label={labels.regionCode} value={values.regionCode} error={fields.regionCode} required options={regions} placeholder={ctx.ta('page.hotline.form.regionChoose')} />
        <SelectField ctx={ctx} form={FORM} name="category" label={labels.category} value={values.category} error={fields.category} required options={HOTLINE_CATEGORIES.map((c) => ({ value: c, label: c }))} placeholder={ctx.ta('page.hotline.form.categoryChoose')} />
        <SelectField ctx={ctx} form={FORM} name="urgency" label={labels.urgency} value={values.urgency || 'normal'} error={fields.urgency} required options={URGENCIES.map((u) => ({ value: u, label: ctx.ta(`page.hotline.urgency.${u}`) }))} />
        <TextField ctx={ctx} form={FORM} name="title" label={labels.title} value={values.title} error={fields.title} required maxlength={LIMITS.title} size="long" />
        <div class={['field', fields.body ? 'field-invalid' : '']}>
          <label for={`${FORM}-body`}>
            <span safe>{labels.body}</span>
            <span class="required">{ctx.t('ui.required')}</span>
          </label>
          {fields.body ? (
            <p class="field-error" id={`${FORM}-body-error`} safe>
              {fields.body}
            </p>
          ) : (
            ''
          )}
          <textarea class="input input-long" id={`${FORM}-body`} name="body" rows="6" maxlength={LIMITS.body} required aria-invalid={fields.body ? 'true' : undefined} aria-describedby={fields.body ? `${FORM}-body-error` : undefined} safe>
            {values.body ?? ''}
          </textarea>
        </div>
        <button type="submit" class="button button-primary">
          {ctx.t('page.hotline.form.submit')}
        </button>
      </form>
    </section>
  );
}

function KnowledgePanel({ ctx, q, category, categories, results, waiting }: { ctx: ViewContext; q: string; category: string; categories: string[]; results: KnowledgeView[]; waiting: TicketView[] }) {
  return (
    <section class="panel" aria-labelledby="knowledge-title">
      <h2 id="knowledge-title">{ctx.t('page.hotline.knowledge.title')}</h2>
      <form method="get" action={SCREEN} class="search-bar" role="search">
        <TextField ctx={ctx} form="knowledge" name="q" type="search" label={ctx.ta('page.hotline.knowledge.search')} value={q} maxlength={50} />
        <SelectField ctx={ctx} form="knowledge" name="kcategory" label={ctx.ta('page.hotline.knowledge.category')} value={category} options={categories.map((c) => ({ value: c, label: c }))} placeholder={ctx.ta('page.hotline.knowledge.allCategories')} />
        <button type="submit" class="button button-secondary">
          {ctx.t('page.hotline.knowledge.searchButton')}
        </button>
      </form>
      {results.length === 0 ? <p class="muted">{ctx.t('page.hotline.knowledge.none')}</p> : ''}
      {results.map((k, index) => (
        <article class="panel" aria-labelledby={`k-${index}`}>
          <h3 id={`k-${index}`} safe>
            {k.question}
          </h3>
          <p class="muted">
            <span class="tag" safe>
              {k.category}
            </span>{' '}
            {k.keywords.length ? ctx.t('page.hotline.knowledge.keywords', { keywords: k.keywords.join('、') }) : ''}
          </p>
          <Paragraphs text={k.answer} />
          {waiting.length ? (
            <form method="post" action="/console/hotline/close">
              <Csrf ctx={ctx} />
              <input type="hidden" name="knowledgeId" value={attr(k.id)} />
              <SelectField ctx={ctx} form={`use-${index}`} name="ticketId" label={ctx.ta('page.hotline.knowledge.useFor')} required options={waiting.map((t) => ({ value: t.id, label: `${t.trackingNo} ${t.title}` }))} />
              <div class="field">
                <label for={`use-${index}-answer`}>{ctx.t('page.hotline.knowledge.answer')}</label>
                <textarea class="input input-long" id={`use-${index}-answer`} name="answer" rows="3" maxlength={LIMITS.answer} safe>
                  {k.answer}
                </textarea>
              </div>
              <button type="submit" class="button button-secondary">
                {ctx.t('page.hotline.close.button')}
              </button>
            </form>
          ) : (
            <p class="muted">{ctx.t('page.hotline.knowledge.noOpen')}</p>
          )}
        </article>
      ))}
    </section>
  );
}

function RecentTickets({ ctx, tickets }: { ctx: ViewContext; tickets: TicketView[] }) {
  if (!tickets.length) return <EmptyState>{ctx.t('page.hotline.recent.none')}</EmptyState>;
  return (
    <DataTable
      id="hotline-recent"
      stack
      caption={ctx.t('page.hotline.recent.caption', { count: tickets.length })}
      head={[ctx.t('page.hotline.recent.ticket'), ctx.t('page.hotline.recent.unit'), ctx.t('page.hotline.recent.due'), ctx.t('page.hotline.recent.state'), ctx.t('page.hotline.recent.actions')]}
    >
      {tickets.map((t) => (
        <tr>
          <td>
            <a href={ticketPage(t.id)} safe>
              {t.title}
            </a>
            <br />
            <span class="muted mono" safe>
              {t.trackingNo}
            </span>
          </td>
          <td data-label={ctx.ta('page.hotline.recent.unit')} safe>
            {t.handlingUnitName}
          </td>
          <td data-label={ctx.ta('page.hotline.recent.due')} safe>
            {t.dueDate}
          </td>
          <td data-label={ctx.ta('page.hotline.recent.state')}>
            <StateTag ctx={ctx} ticket={t} />
          </td>
          <td>
            <ul class="actions">
              {t.state === 'received' ? (
                <li>
                  <a href={`/console/interaction/cases/${attr(t.id)}`}>{ctx.t('page.hotline.action.dispatch')}</a>
                </li>
              ) : (
                ''
              )}
              <li>
                <a href={ticketPage(t.id)}>{ctx.t('page.hotline.action.open')}</a>
              </li>
            </ul>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Runs a form's command in one transaction; a refusal comes back as a message on the page it leads to. */
async function formPost<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, target: string, run: (work: Work) => Promise<T>, done: Flash) {
  const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), run));
  setFlash(reply, result.ok ? done : { kind: 'error', key: 'flash.hotline.failed', params: { message: result.summary } });
  return redirect(reply, target);
}

export async function hotlinePages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  const today = () => shanghaiDate(platform.clock.now());

  const screen = async (request: FastifyRequest, reply: FastifyReply, form: { values: Record<string, string>; fields: FieldMessages; summary?: string; status?: number }) => {
    const unit = await operatorUnit(platform.db, request.principal!);
    const query = (request.query ?? {}) as Static<typeof ScreenQuery>;
    const q = query.q?.trim() ?? '';
    const category = query.kcategory?.trim() ?? '';
    const [regions, tickets, waiting, results, categories] = await Promise.all([
      regionOptions(platform),
      recentTickets(platform.db, unit.id, today()),
      recentTickets(platform.db, unit.id, today(), { state: 'received', limit: 50 }),
      searchKnowledge(platform.db, { q, category: category || undefined, limit: 10 }),
      knowledgeCategories(platform.db),
    ]);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.hotline.title'),
      lead: ctx.t('page.hotline.lead'),
      crumbs: [{ label: ctx.t('page.hotline.title') }],
      status: form.status,
      body: (
        <>
          <div class="panel-grid">
            <TicketForm ctx={ctx} values={form.values} fields={form.fields} summary={form.summary} regions={regions} />
            <KnowledgePanel ctx={ctx} q={q} category={category} categories={categories} results={results} waiting={waiting} />
          </div>
          <RecentTickets ctx={ctx} tickets={tickets} />
        </>
      ),
    }));
  };

  app.get<{ Querystring: Static<typeof ScreenQuery> }>(SCREEN, { schema: { querystring: ScreenQuery }, config: { auth: HOTLINE_PERMISSION } }, (request, reply) => screen(request, reply, { values: {}, fields: {} }));

  app.post<{ Body: Static<typeof FormBody> }>('/console/hotline/tickets', { schema: { body: FormBody }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) => {
    const values = {
      callerName: formText(request.body, 'callerName'),
      phone: formText(request.body, 'phone'),
      regionCode: formText(request.body, 'regionCode'),
      category: formText(request.body, 'category'),
      urgency: formText(request.body, 'urgency'),
      title: formText(request.body, 'title'),
      body: formRaw(request.body, 'body').replace(/\r\n/g, '\n'),
    };
    let created: { trackingNo: string };
    try {
      created = await inTransaction(platform.db, actorOf(request), (work) => createTicket(work, platform, request.principal!, { ...values, urgency: values.urgency as Urgency }));
    } catch (error) {
      // What the operator typed comes back with the messages (a region outside the installation is 422).
      if (!(error instanceof AppError) || (error.status !== 400 && error.status !== 422)) throw error;
      return screen(request, reply, { values, fields: fieldMessages(error.fieldErrors, request.lang), summary: error.toProblem(request.lang).detail, status: error.status });
    }
    setFlash(reply, { kind: 'success', key: 'flash.hotline.created', params: { trackingNo: created.trackingNo } });
    return redirect(reply, SCREEN);
  });

  app.post<{ Body: Static<typeof FormBody> }>('/console/hotline/close', { schema: { body: FormBody }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) => {
    const ticketId = formText(request.body, 'ticketId').slice(0, 64);
    return formPost(platform, request, reply, SCREEN, (work) => closeTicket(work, platform, request.principal!, ticketId, { knowledgeId: formText(request.body, 'knowledgeId') || null, answer: formRaw(request.body, 'answer') }), { kind: 'success', key: 'flash.hotline.closed' });
  });

  app.get<{ Params: Static<typeof IdParams> }>('/console/hotline/tickets/:id', { schema: { params: IdParams }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) => {
    const row = await ownTicket(platform.db, request.principal!, request.params.id);
    const t = toTicketView({ ...row, handling_unit_name: (await getUnit(platform.db, row.handling_unit_id))?.name ?? '' }, today());
    const body = row.body;
    const action = ticketPage(t.id);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: <span safe>{t.title}</span>,
      lead: ctx.t('page.hotline.ticket.lead', { trackingNo: t.trackingNo, category: t.category ?? '', urgency: t.urgency ? ctx.ta(`page.hotline.urgency.${t.urgency}`) : '' }),
      crumbs: [{ href: SCREEN, label: ctx.t('page.hotline.title') }, { label: t.trackingNo }],
      body: (
        <>
          <section class="panel" aria-labelledby="ticket-body">
            <h2 id="ticket-body">{ctx.t('page.hotline.ticket.body')}</h2>
            <p>
              <StateTag ctx={ctx} ticket={t} /> <span class="muted">{ctx.t('page.hotline.recent.unit')}</span> <span safe>{t.handlingUnitName}</span> · <span class="muted">{ctx.t('page.hotline.recent.due')}</span> <span safe>{t.dueDate}</span>
            </p>
            <p>
              <span class="muted">{ctx.t('page.hotline.ticket.caller')}</span> <span safe>{t.callerName}</span> · <span class="muted">{ctx.t('page.hotline.ticket.received')}</span> {Html.escapeHtml(formatDateTime(t.receivedAt, ctx.lang))}
            </p>
            <Paragraphs text={body} />
          </section>
          <section class="panel" aria-labelledby="ticket-answer">
            <h2 id="ticket-answer">{ctx.t('page.hotline.ticket.answer')}</h2>
            {t.answer ? <Paragraphs text={t.answer} /> : <p class="muted">{ctx.t('page.hotline.ticket.noAnswer')}</p>}
          </section>
          {t.state === 'received' ? (
            <section class="panel" aria-labelledby="ticket-close">
              <h2 id="ticket-close">{ctx.t('page.hotline.close.title')}</h2>
              <form method="post" action={`${action}/close`}>
                <Csrf ctx={ctx} />
                <div class="field">
                  <label for="close-answer">{ctx.t('page.hotline.ticket.answer')}</label>
                  <textarea class="input input-long" id="close-answer" name="answer" rows="4" maxlength={LIMITS.answer} required></textarea>
                </div>
                <ul class="actions">
                  <li>
                    <button type="submit" class="button button-primary">
                      {ctx.t('page.hotline.close.button')}
                    </button>
                  </li>
                  <li>
                    <a href={`/console/interaction/cases/${attr(t.id)}`}>{ctx.t('page.hotline.action.dispatch')}</a>
                  </li>
                </ul>
              </form>
            </section>
          ) : (
            ''
          )}
          {['assigned', 'clarifying', 'reviewing'].includes(t.state) && t.handlingUnitId !== t.dispatcherUnitId ? (
            <section class="panel" aria-labelledby="ticket-supervise">
              <h2 id="ticket-supervise">{ctx.t('page.hotline.supervise.title')}</h2>
              <form method="post" action={`${action}/supervise`}>
                <Csrf ctx={ctx} />
                <div class="field">
                  <label for="supervise-note">{ctx.t('page.hotline.supervise.note')}</label>
                  <textarea class="input input-long" id="supervise-note" name="note" rows="3" maxlength={LIMITS.reason} required></textarea>
                </div>
                <button type="submit" class="button button-secondary">
                  {ctx.t('page.hotline.supervise.button')}
                </button>
              </form>
            </section>
          ) : (
            ''
          )}
          {t.state === 'answered' ? (
            <section class="panel" aria-labelledby="ticket-visit">
              <h2 id="ticket-visit">{ctx.t('page.hotline.visit.title')}</h2>
              {t.visitedAt ? (
                <p>{ctx.t('page.hotline.visit.done', { at: formatDateTime(t.visitedAt, ctx.lang), score: ctx.ta(`page.hotline.visit.score.${t.visitSatisfaction}`) })}</p>
              ) : (
                <form method="post" action={`${action}/visit`}>
                  <Csrf ctx={ctx} />
                  <fieldset class="fieldset">
                    <legend>{ctx.t('page.hotline.visit.satisfaction')}</legend>
                    {[5, 4, 3, 2, 1].map((score) => (
                      <label class="checkbox">
                        <input type="radio" name="satisfaction" value={String(score)} required checked={score === 5} /> {ctx.t(`page.hotline.visit.score.${score}`)}
                      </label>
                    ))}
                  </fieldset>
                  <div class="field">
                    <label for="visit-note">{ctx.t('page.hotline.visit.note')}</label>
                    <textarea class="input input-long" id="visit-note" name="note" rows="3" maxlength={LIMITS.comment}></textarea>
                  </div>
                  <button type="submit" class="button button-primary">
                    {ctx.t('page.hotline.visit.button')}
                  </button>
                </form>
              )}
            </section>
          ) : (
            ''
          )}
        </>
      ),
    }));
  });

  app.post<FormRoute>('/console/hotline/tickets/:id/close', { schema: { params: IdParams, body: FormBody }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, ticketPage(request.params.id), (work) => closeTicket(work, platform, request.principal!, request.params.id, { answer: formRaw(request.body, 'answer') }), { kind: 'success', key: 'flash.hotline.closed' }),
  );
  app.post<FormRoute>('/console/hotline/tickets/:id/supervise', { schema: { params: IdParams, body: FormBody }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, ticketPage(request.params.id), (work) => superviseTicket(work, platform, request.principal!, request.params.id, { note: formText(request.body, 'note') }), { kind: 'success', key: 'flash.hotline.supervised' }),
  );
  app.post<FormRoute>('/console/hotline/tickets/:id/visit', { schema: { params: IdParams, body: FormBody }, config: { auth: HOTLINE_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      ticketPage(request.params.id),
      (work) => visitTicket(work, platform, request.principal!, request.params.id, { satisfaction: Number(formText(request.body, 'satisfaction')), note: formText(request.body, 'note') || null }),
      { kind: 'success', key: 'flash.hotline.visited' },
    ),
  );
}
