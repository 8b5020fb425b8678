import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf } from '../../platform/http/index.ts';
import { inTransaction } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import { getUnit } from '../../platform/org/service.ts';
import { coversUnit } from '../../platform/iam/principal.ts';
import { renderConsole } from '../../platform/console/shell.tsx';
import { pageScope } from '../../platform/console/page-scope.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyState,
  ErrorSummary,
  FormBody,
  formatDateTime,
  formText,
  RefusalNotice,
  PageQueryFields,
  Pagination,
  redirect,
  setFlash,
  viewContext,
} from '../../platform/views/index.ts';
import type { NavGroup } from '../../platform/views/nav.ts';
import { DECIDE, EXPLAIN, READ, scopeCovers, supervisorScope } from './access.ts';
import { decideCard, explainCard, getCard, listCards } from './cards.ts';
import { monitorSnapshot } from './monitor.ts';
import { computeStats, periodOf, statsSteps } from './stats.ts';
import { CARD_STATUSES } from './rules.ts';
import { CardTable, ColorTag, LiveBoard, num, OpenCases, OpenCasesChart, StatsTable, SubjectLink } from './monitor-views.tsx';
import { monitorChartSvg } from './monitor-chart.ts';
import { subjectsOf } from './subjects.ts';

export const supervisionNav: NavGroup = {
  id: 'supervision',
  key: 'page.supervision.nav.group',
  items: [
    { href: '/console/supervision', key: 'page.supervision.nav.monitor', permission: READ },
    { href: '/console/supervision/cards', key: 'page.supervision.nav.cards' },
    { href: '/console/supervision/stats', key: 'page.supervision.nav.stats' },
  ],
};

const DatePattern = '^\\d{4}-\\d{2}-\\d{2}$';
const MonitorQuery = Strict({ ...PageQueryFields });
const CasesQuery = Strict({ unitId: Type.String({ maxLength: 64 }), subjectType: Type.Optional(Type.String({ maxLength: 64 })), state: Type.String({ minLength: 1, maxLength: 64 }), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
const CardsQuery = Strict({
  color: Type.Optional(Type.Union([Type.Literal('yellow'), Type.Literal('red'), Type.Literal('')])),
  status: Type.Optional(Type.Union([...CARD_STATUSES.map((s) => Type.Literal(s)), Type.Literal('')])),
  today: Type.Optional(Type.Literal('1')),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const IdParams = Strict({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const StatsQuery = Strict({
  from: Type.Optional(Type.String({ pattern: DatePattern })),
  to: Type.Optional(Type.String({ pattern: DatePattern })),
  groupBy: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('person')])),
  ...PageQueryFields,
});
const StepsQuery = Strict({
  from: Type.String({ pattern: DatePattern }),
  to: Type.String({ pattern: DatePattern }),
  unitId: Type.Optional(Type.String({ maxLength: 64 })),
  personId: Type.Optional(Type.String({ maxLength: 64 })),
  outcome: Type.Optional(Type.Union([Type.Literal('onTime'), Type.Literal('early'), Type.Literal('overdue')])),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});

export async function supervisionPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);

  app.get<{ Querystring: Static<typeof MonitorQuery> }>('/console/supervision', { schema: { querystring: MonitorQuery }, config: { auth: READ } }, async (request, reply) => {
    const board = await monitorSnapshot(platform, request.principal!);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.monitorTitle'),
      lead: ctx.t('page.supervision.monitorLead'),
      crumbs: [{ label: ctx.t('page.supervision.nav.monitor') }],
      body: (
        <>
          <LiveBoard ctx={ctx} board={board} />
          <OpenCasesChart ctx={ctx} board={board} />
          <OpenCases ctx={ctx} board={board} />
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof MonitorQuery> }>('/console/supervision/chart.svg', { schema: { querystring: MonitorQuery }, config: { auth: READ } }, async (request, reply) => {
    const board = await monitorSnapshot(platform, request.principal!);
    return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', 'no-store').send(await monitorChartSvg(board, request.lang));
  });

  app.get<{ Querystring: Static<typeof MonitorQuery> }>('/console/supervision/live', { schema: { querystring: MonitorQuery }, config: { auth: READ } }, async (request, reply) => {
    const board = await monitorSnapshot(platform, request.principal!);
    const html = await (<LiveBoard ctx={viewContext(request)} board={board} />);
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(html);
  });

  app.get<{ Querystring: Static<typeof CasesQuery> }>('/console/supervision/cases', { schema: { querystring: CasesQuery }, config: { auth: READ } }, async (request, reply) => {
    const { unitId, state, subjectType } = request.query;
    const scope = supervisorScope(request.principal);
    const unit = await getUnit(platform.db, unitId);
    // Without a type: the installed subject that has this open state.
    const subject = subjectsOf(platform).find((s) => (subjectType ? s.type === subjectType : true) && s.openStates.some((o) => o.state === state));
    if (!unit || !scopeCovers(scope, unit) || !subject) return reply.callNotFound();
    const stateLabel = subject.openStates.find((o) => o.state === state)!.labelKey;
    const { items: page, nextCursor: next } = await subject.openSubjects(platform.db, unitId, state, { limit: 50, cursor: request.query.cursor });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.casesTitle', { unit: unit.name, state: ctx.ta(stateLabel) }),
      crumbs: [{ href: '/console/supervision', label: ctx.t('page.supervision.nav.monitor') }, { label: ctx.t('page.supervision.cases') }],
      body: (
        <>
          <DataTable id="cases" caption={ctx.t('page.supervision.cases')} head={[ctx.t('page.supervision.col.receipt'), ctx.t('page.supervision.col.item'), ctx.t('page.supervision.col.submitted'), ctx.t('page.supervision.col.due')]}>
            {page.map((c) => (
              <tr>
                <td>
                  <SubjectLink href={c.staffLink} text={c.trackingNo} />
                </td>
                <td safe>{c.title}</td>
                <td safe>{formatDateTime(c.openedAt, ctx.lang)}</td>
                <td safe>{c.dueDate ?? '—'}</td>
              </tr>
            ))}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={next} hasPrevious={!!request.query.cursor} />
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof CardsQuery> }>('/console/supervision/cards', { schema: { querystring: CardsQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const { color, status, today, cursor } = request.query;
    const day = shanghaiDate(platform.clock.now());
    const result = await listCards(platform, request.principal, {
      color: color || undefined,
      status: status || undefined,
      from: today ? new Date(`${day}T00:00:00+08:00`) : undefined,
      limit: 50,
      cursor,
    });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.cardsTitle'),
      lead: ctx.t(supervisorScope(request.principal) ? 'page.supervision.cardsLeadSupervisor' : 'page.supervision.cardsLeadUnit'),
      crumbs: [{ label: ctx.t('page.supervision.nav.cards') }],
      body: (
        <>
          <form method="get" action="/console/supervision/cards" class="form-row">
            <label for="color">{ctx.t('page.supervision.col.card')}</label>
            <select id="color" name="color" class="select">
              <option value="">{ctx.t('page.supervision.all')}</option>
              {(['yellow', 'red'] as const).map((c) => (
                <option value={c} selected={color === c}>
                  {ctx.t(`supervision.color.${c}`)}
                </option>
              ))}
            </select>
            <label for="status">{ctx.t('page.supervision.col.status')}</label>
            <select id="status" name="status" class="select">
              <option value="">{ctx.t('page.supervision.all')}</option>
              {CARD_STATUSES.map((s) => (
                <option value={s} selected={status === s}>
                  {ctx.t(`supervision.status.${s}`)}
                </option>
              ))}
            </select>
            <button type="submit" class="button button-secondary">
              {ctx.t('page.supervision.filter')}
            </button>
          </form>
          {result.items.length ? <CardTable ctx={ctx} cards={result.items} caption={ctx.t('page.supervision.cardsTitle')} /> : <EmptyState>{ctx.t('page.supervision.noCards')}</EmptyState>}
          <Pagination ctx={ctx} nextCursor={result.nextCursor} hasPrevious={!!cursor} />
        </>
      ),
    }));
  });

  async function renderCard(request: FastifyRequest, reply: FastifyReply, id: string, state: { summary?: string; status?: number; form?: string } = {}) {
    const card = await getCard(platform, request.principal, id);
    const unit = await getUnit(platform.db, card.unitId);
    const principal = request.principal!;
    const mayExplain = card.status === 'open' && !!unit && coversUnit(principal, EXPLAIN, unit);
    const mayDecide = (card.status === 'open' || card.status === 'explained') && !!supervisorScope(principal) && principal.roles.some((r) => r.role === 'supervisor');
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.cardTitle', { color: ctx.ta(`supervision.color.${card.color}`), reason: ctx.ta(`supervision.reason.${card.reason}`) }),
      crumbs: [{ href: '/console/supervision/cards', label: ctx.t('page.supervision.nav.cards') }, { label: ctx.t('page.supervision.card') }],
      status: state.status,
      body: (
        <>
          <section class="panel" aria-labelledby="card-facts">
            <h2 id="card-facts">{ctx.t('page.supervision.facts')}</h2>
            <dl class="stat-list">
              <dt>{ctx.t('page.supervision.col.card')}</dt>
              <dd>
                <ColorTag ctx={ctx} color={card.color} />
              </dd>
              <dt>{ctx.t('page.supervision.col.reason')}</dt>
              <dd>{ctx.t(`supervision.reason.${card.reason}`)}</dd>
              <dt>{ctx.t('page.supervision.col.receipt')}</dt>
              <dd class="mono" safe>
                {card.receiptNo ?? card.caseId}
              </dd>
              <dt>{ctx.t('page.supervision.col.item')}</dt>
              <dd safe>{card.itemName ?? '—'}</dd>
              <dt>{ctx.t('page.supervision.col.step')}</dt>
              <dd safe>{card.stepName ?? card.stepKey ?? '—'}</dd>
              <dt>{ctx.t('page.supervision.col.unit')}</dt>
              <dd safe>{unit?.name ?? card.unitId}</dd>
              <dt>{ctx.t('page.supervision.col.due')}</dt>
              <dd safe>{card.dueDate ?? '—'}</dd>
              <dt>{ctx.t('page.supervision.col.status')}</dt>
              <dd>{ctx.t(`supervision.status.${card.status}`)}</dd>
              <dt>{ctx.t('page.supervision.col.issued')}</dt>
              <dd safe>{formatDateTime(card.issuedAt, ctx.lang)}</dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="card-history">
            <h2 id="card-history">{ctx.t('page.supervision.history')}</h2>
            <ol>
              {card.history.map((h) => (
                <li>
                  <span safe>{formatDateTime(h.at, ctx.lang)}</span> {ctx.t(`page.supervision.event.${h.type}`, { color: ctx.ta(`supervision.color.${h.color}`) })} {h.actorId ? (
                    <span class="muted" safe>
                      {h.actorName ?? ''}
                    </span>
                  ) : (
                    <span class="muted">{ctx.t('page.supervision.systemActor')}</span>
                  )}
                  {h.text ? <p safe>{h.text}</p> : ''}
                  {h.attachments.length ? (
                    <ul>
                      {h.attachments.map((f) => (
                        <li>
                          <a href={`/api/v1/files/${attr(f.id)}`} safe>
                            {f.name}
                          </a>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    ''
                  )}
                </li>
              ))}
            </ol>
          </section>
          {state.summary ? <ErrorSummary ctx={ctx} form={state.form ?? 'card'} summary={state.summary} /> : ''}
          {mayExplain ? (
            <section class="panel" aria-labelledby="explain-title">
              <h2 id="explain-title">{ctx.t('page.supervision.explainTitle')}</h2>
              <form method="post" action={`/console/supervision/cards/${attr(card.id)}/explain`} class="form">
                <Csrf ctx={ctx} />
                <input type="hidden" name="version" value={String(card.version)} />
                <div class="field">
                  <label for="explanation">{ctx.t('page.supervision.explanation')}</label>
                  <textarea id="explanation" name="explanation" class="input input-long" rows="5" maxlength="2000" required></textarea>
                </div>
                <p class="field-hint">{ctx.t('page.supervision.attachHint')}</p>
                <button type="submit" class="button">
                  {ctx.t('page.supervision.explain')}
                </button>
              </form>
            </section>
          ) : (
            ''
          )}
          {mayDecide ? (
            <section class="panel" aria-labelledby="decide-title">
              <h2 id="decide-title">{ctx.t('page.supervision.decideTitle')}</h2>
              <form method="post" action={`/console/supervision/cards/${attr(card.id)}/decide`} class="form">
                <Csrf ctx={ctx} />
                <input type="hidden" name="version" value={String(card.version)} />
                <div class="field">
                  <label for="reason">{ctx.t('page.supervision.decisionReason')}</label>
                  <textarea id="reason" name="reason" class="input input-long" rows="4" maxlength="2000" required></textarea>
                </div>
                <div class="actions">
                  <button type="submit" name="decision" value="confirm" class="button">
                    {ctx.t('page.supervision.confirm')}
                  </button>
                  <button type="submit" name="decision" value="revoke" class="button button-secondary">
                    {ctx.t('page.supervision.revoke')}
                  </button>
                </div>
              </form>
            </section>
          ) : (
            ''
          )}
        </>
      ),
    }));
  }

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof MonitorQuery> }>('/console/supervision/cards/:id', { schema: { params: IdParams, querystring: MonitorQuery }, config: { auth: 'user' } }, async (request, reply) =>
    renderCard(request, reply, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/supervision/cards/:id/explain', { schema: { params: IdParams, body: FormBody }, config: { auth: EXPLAIN } }, async (request, reply) => {
    const version = Number(formText(request.body, 'version')) || undefined;
    const result = await attempt(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) => explainCard(work, platform, request.principal!, request.params.id, { explanation: formText(request.body, 'explanation'), expectedVersion: version })),
    );
    if (!result.ok) return renderCard(request, reply, request.params.id, { summary: result.summary, status: result.error.status, form: 'explain' });
    setFlash(reply, { kind: 'success', key: 'flash.supervisionExplained' });
    return redirect(reply, `/console/supervision/cards/${encodeURIComponent(request.params.id)}`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/supervision/cards/:id/decide', { schema: { params: IdParams, body: FormBody }, config: { auth: DECIDE } }, async (request, reply) => {
    const decision = formText(request.body, 'decision') === 'revoke' ? 'revoke' : 'confirm';
    const version = Number(formText(request.body, 'version')) || undefined;
    const result = await attempt(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) => decideCard(work, platform, request.principal!, request.params.id, decision, { reason: formText(request.body, 'reason'), expectedVersion: version })),
    );
    if (!result.ok) return renderCard(request, reply, request.params.id, { summary: result.summary, status: result.error.status, form: 'decide' });
    setFlash(reply, { kind: 'success', key: decision === 'confirm' ? 'flash.supervisionConfirmed' : 'flash.supervisionRevoked' });
    return redirect(reply, `/console/supervision/cards/${encodeURIComponent(request.params.id)}`);
  });

  app.get<{ Querystring: Static<typeof StatsQuery> }>('/console/supervision/stats', { schema: { querystring: StatsQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const today = shanghaiDate(platform.clock.now());
    const from = request.query.from ?? `${today.slice(0, 8)}01`;
    const to = request.query.to ?? today;
    const groupBy = request.query.groupBy ?? 'unit';
    const result = await attempt(request.lang, async () => computeStats(platform, request.principal, periodOf(from, to), groupBy));
    const query = `from=${from}&amp;to=${to}&amp;groupBy=${groupBy}`;
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.statsTitle'),
      lead: ctx.t('page.supervision.statsLead'),
      crumbs: [{ label: ctx.t('page.supervision.nav.stats') }],
      status: result.ok ? undefined : result.error.status,
      body: (
        <>
          <form method="get" action="/console/supervision/stats" class="form-row">
            <label for="from">{ctx.t('page.supervision.from')}</label>
            <input id="from" name="from" type="date" class="input input-short" value={attr(from)} />
            <label for="to">{ctx.t('page.supervision.to')}</label>
            <input id="to" name="to" type="date" class="input input-short" value={attr(to)} />
            <label for="groupBy">{ctx.t('page.supervision.groupBy')}</label>
            <select id="groupBy" name="groupBy" class="select">
              <option value="unit" selected={groupBy === 'unit'}>
                {ctx.t('supervision.stats.col.unit')}
              </option>
              <option value="person" selected={groupBy === 'person'}>
                {ctx.t('supervision.stats.col.person')}
              </option>
            </select>
            <button type="submit" class="button button-secondary">
              {ctx.t('page.supervision.show')}
            </button>
          </form>
          {!result.ok ? (
            <RefusalNotice failure={result} />
          ) : result.value.length ? (
            <>
              <StatsTable ctx={ctx} items={result.value} from={from} to={to} groupBy={groupBy} />
              <p>
                <a class="button button-secondary" href={`/api/v1/supervision/stats/export.xlsx?${query}`}>
                  {ctx.t('page.supervision.export')}
                </a>
              </p>
              <figure>
                <img src={`/api/v1/supervision/stats/chart.svg?${query}&amp;lang=${ctx.lang}`} alt={ctx.ta('page.supervision.chartAlt', { from, to })} width="900" height="420" />
              </figure>
            </>
          ) : (
            <EmptyState>{ctx.t('page.supervision.noSteps')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof StepsQuery> }>('/console/supervision/stats/steps', { schema: { querystring: StepsQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const { from, to, unitId, personId, outcome, cursor } = request.query;
    const result = await statsSteps(platform, request.principal, periodOf(from, to), { unitId, personId, outcome, limit: 50, cursor });
    const head = ['col.receipt', 'col.step', 'col.due', 'col.finished', 'col.workingDays', 'col.outcome'];
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.supervision.stepsTitle', { from, to }),
      crumbs: [{ href: `/console/supervision/stats?from=${from}&amp;to=${to}`, label: ctx.t('page.supervision.nav.stats') }, { label: ctx.t('page.supervision.steps') }],
      body: (
        <>
          <DataTable id="steps" caption={ctx.t('page.supervision.steps')} head={head.map((key) => ctx.t(`page.supervision.${key}`))}>
            {result.items.map((s) => (
              <tr>
                <td>
                  <SubjectLink href={s.link} text={s.receiptNo ?? s.caseId} />
                </td>
                <td safe>{s.stepName ?? s.stepKey}</td>
                <td safe>{s.dueDate}</td>
                <td safe>{formatDateTime(s.finishedAt, ctx.lang)}</td>
                <td>{s.workingDaysUsed === null ? '—' : num(s.workingDaysUsed)}</td>
                <td>{ctx.t(`page.supervision.outcome.${s.outcome}`)}</td>
              </tr>
            ))}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={result.nextCursor} hasPrevious={!!cursor} />
        </>
      ),
    }));
  });
}
