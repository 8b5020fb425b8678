import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, fieldError, invalid } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { auditCursorFrom, listAuditRecords, type AuditView, type VerifyResult } from '../audit/service.ts';
import { verifyPlatformChain } from '../audit/anchor.ts';
import { workingDays } from '../calendar/index.ts';
import { attempt, attr, DataTable, EmptyState, ErrorSummary, formatDateTime, Notice, PageQueryFields, Pagination, TextField, withQuery, type ViewContext } from '../views/index.ts';
import { renderConsole } from './shell.tsx';
import { translate } from '../i18n/index.ts';
import { actionLabel, actorName, csvLines, Details, nameRecords, ObjectCell, type AuditNames } from './audit-words.tsx';

const DatePattern = '^\\d{4}-\\d{2}-\\d{2}$';
const AuditPageQuery = Strict({
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  objectType: Type.Optional(Type.String({ maxLength: 64 })),
  objectId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.Union([Type.String({ pattern: DatePattern }), Type.Literal('')])),
  to: Type.Optional(Type.Union([Type.String({ pattern: DatePattern }), Type.Literal('')])),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
type AuditPageQuery = Static<typeof AuditPageQuery>;

const PAGE_SIZE = 50;
/** The export holds at most this many records (the newest matching ones); narrow the filters for more. */
const EXPORT_MAX = 10_000;

/** The instants of a period of China dates, both ends included; wrong or reversed dates are field errors. */
function periodInstants(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const errors = [];
  if (from && !workingDays.isValidDate(from)) errors.push(fieldError('from', 'page.audit.dateInvalid', { value: from }));
  if (to && !workingDays.isValidDate(to)) errors.push(fieldError('to', 'page.audit.dateInvalid', { value: to }));
  if (!errors.length && from && to && from > to) errors.push(fieldError('to', 'page.audit.periodReversed'));
  if (errors.length) throw invalid(errors);
  return {
    from: from ? new Date(`${from}T00:00:00+08:00`) : undefined,
    to: to ? new Date(`${workingDays.addCalendarDays(to, 1)}T00:00:00+08:00`) : undefined,
  };
}

/** The filter of the page and of the export, from the query. */
function auditFilter(query: AuditPageQuery) {
  const text = (value: string | undefined) => value?.trim() || undefined;
  return {
    actor: text(query.actor),
    action: text(query.action),
    objectType: text(query.objectType),
    objectId: text(query.objectId),
    ...periodInstants(text(query.from), text(query.to)),
  };
}

/** A compact table: one line per record where the screen allows, details as a short definition list. */
function AuditRows({ ctx, items, names, query }: { ctx: ViewContext; items: AuditView[]; names: AuditNames; query: AuditPageQuery }) {
  const filterBy = (changes: Record<string, string | null>) => withQuery('/console/audit', query as Record<string, string>, { ...changes, cursor: null });
  return (
    <DataTable
      id="audit"
      caption={ctx.t('page.audit.caption')}
      head={[ctx.t('page.audit.at'), ctx.t('page.audit.actor'), ctx.t('page.audit.action'), ctx.t('page.audit.object'), ctx.t('page.audit.outcome'), ctx.t('page.audit.details')]}
    >
      {items.map((r) => (
        <tr id={`audit-${attr(r.id)}`}>
          <td class="cell-nowrap">
            {formatDateTime(r.at, ctx.lang, { seconds: true }) as 'safe'}
            <br />
            <span class="muted mono" title={attr(r.hash)}>
              #{r.id as 'safe'}
            </span>
            {r.ip ? (
              <span class="muted mono" safe>
                {` ${r.ip}`}
              </span>
            ) : (
              ''
            )}
          </td>
          <td>
            {r.actorId ? (
              <a href={attr(filterBy({ actor: r.actorId }))} safe>
                {actorName(ctx.lang, r, names)}
              </a>
            ) : (
              <span class="muted" safe>
                {actorName(ctx.lang, r, names)}
              </span>
            )}
          </td>
          <td>
            <a href={attr(filterBy({ action: r.action }))} title={attr(r.action)} safe>
              {actionLabel(ctx.lang, r.action)}
            </a>
          </td>
          <td>
            <ObjectCell ctx={ctx} r={r} names={names} filterHref={filterBy({ objectType: r.objectType, objectId: r.objectId })} />
          </td>
          <td>{r.outcome === 'success' ? <span class="tag tag-ok">{ctx.t('page.audit.success')}</span> : <span class="tag tag-off">{ctx.t('page.audit.failure')}</span>}</td>
          <td class="cell-details">
            <Details ctx={ctx} details={r.details} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function CheckpointLine({ ctx, result }: { ctx: ViewContext; result: VerifyResult }) {
  const cp = result.checkpoint;
  if (!cp) return <p class="muted">{ctx.t('page.audit.noCheckpoint', { since: result.sinceCheckpoint })}</p>;
  return <p class="muted">{ctx.t('page.audit.checkpointLine', { seq: cp.seq, at: formatDateTime(cp.at, ctx.lang, { seconds: true }), records: cp.records, since: result.sinceCheckpoint })}</p>;
}

function ChainResult({ ctx, result }: { ctx: ViewContext; result: VerifyResult }) {
  if (result.ok) {
    return (
      <Notice kind="success" title={ctx.t('page.audit.chainOk')}>
        <p>{ctx.t('page.audit.chainOkDetail', { checked: result.checked })}</p>
        <CheckpointLine ctx={ctx} result={result} />
      </Notice>
    );
  }
  if (result.firstBrokenId === null) {
    // A lane that lost its newest records, or a checkpoint that does not verify: no record to show.
    return (
      <Notice kind="error" title={ctx.t('page.audit.chainBroken')}>
        <p>{result.firstBrokenLane !== null ? ctx.t('page.audit.chainLaneBroken', { lane: result.firstBrokenLane }) : ctx.t('page.audit.chainCheckpointBroken')}</p>
        <CheckpointLine ctx={ctx} result={result} />
      </Notice>
    );
  }
  return (
    <Notice kind="error" title={ctx.t('page.audit.chainBroken')}>
      <p>{ctx.t('page.audit.chainBrokenDetail', { id: String(result.firstBrokenId), checked: result.checked })}</p>
      <p>
        <a href={attr(`/console/audit?cursor=${encodeURIComponent(auditCursorFrom(Number(result.firstBrokenId)))}`)}>{ctx.t('page.audit.showBroken')}</a>
      </p>
      <CheckpointLine ctx={ctx} result={result} />
    </Notice>
  );
}

const labels = (ctx: ViewContext) => ({
  actor: ctx.ta('page.audit.actorFilter'),
  action: ctx.ta('page.audit.actionFilter'),
  objectType: ctx.ta('page.audit.objectType'),
  objectId: ctx.ta('page.audit.objectId'),
  from: ctx.ta('page.audit.from'),
  to: ctx.ta('page.audit.to'),
});

async function renderAudit(platform: Platform, request: FastifyRequest<{ Querystring: AuditPageQuery }>, reply: FastifyReply) {
  const query = request.query;
  const result = await attempt(request.lang, async () => {
    const page = await listAuditRecords(platform.db, { ...auditFilter(query), cursor: query.cursor, limit: PAGE_SIZE });
    return { ...page, names: await nameRecords(platform, page.items) };
  });
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('console.nav.audit'),
    lead: ctx.t('page.audit.lead'),
    crumbs: [{ label: ctx.t('console.nav.audit') }],
    status: result.ok ? undefined : result.error.status,
    body: (
      <>
        <section class="panel" aria-labelledby="chain-title">
          <h2 id="chain-title">{ctx.t('page.audit.chainTitle')}</h2>
          <p class="muted">{ctx.t('page.audit.chainNote')}</p>
          <form method="get" action="/console/audit/verify">
            <button type="submit" class="button button-secondary">
              {ctx.t('page.audit.verify')}
            </button>
          </form>
        </section>
        {!result.ok ? <ErrorSummary ctx={ctx} form="audit" summary={result.summary} fields={result.fields} labels={labels(ctx)} /> : ''}
        <form method="get" action="/console/audit" class="search-bar form-row" role="search" aria-label={ctx.ta('page.audit.filter')}>
          <TextField ctx={ctx} form="audit" name="actor" label={labels(ctx).actor} value={query.actor} maxlength={64} />
          <TextField ctx={ctx} form="audit" name="action" label={labels(ctx).action} hint={ctx.ta('page.audit.actionHint')} value={query.action} maxlength={100} />
          <TextField ctx={ctx} form="audit" name="objectType" label={labels(ctx).objectType} value={query.objectType} maxlength={64} />
          <TextField ctx={ctx} form="audit" name="objectId" label={labels(ctx).objectId} value={query.objectId} maxlength={64} />
          <TextField ctx={ctx} form="audit" name="from" type="date" size="short" label={labels(ctx).from} value={query.from} error={result.ok ? undefined : result.fields.from} />
          <TextField ctx={ctx} form="audit" name="to" type="date" size="short" label={labels(ctx).to} value={query.to} error={result.ok ? undefined : result.fields.to} />
          <button type="submit" class="button">
            {ctx.t('page.audit.search')}
          </button>
          <a href="/console/audit">{ctx.t('page.audit.clear')}</a>
        </form>
        {!result.ok ? (
          ''
        ) : result.value.items.length ? (
          <>
            <p>
              <a href={attr(withQuery('/console/audit/export.csv', query as Record<string, string>, { cursor: null }))} download="">
                {ctx.t('page.audit.export')}
              </a>
            </p>
            <AuditRows ctx={ctx} items={result.value.items} names={result.value.names} query={query} />
            <Pagination ctx={ctx} nextCursor={result.value.nextCursor} hasPrevious={!!query.cursor} />
          </>
        ) : (
          <EmptyState>{ctx.t('page.audit.none')}</EmptyState>
        )}
      </>
    ),
  }));
}

/** The auditor's pages: the log with filters, and the hash chain's verification (read-only). */
export async function auditPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: AuditPageQuery }>('/console/audit', { schema: { querystring: AuditPageQuery }, config: { auth: 'audit.read' } }, async (request, reply) =>
    renderAudit(platform, request, reply),
  );
  // The records the filters select (newest first, at most EXPORT_MAX), as CSV in UTF-8 with a BOM
  // so that a spreadsheet program reads the Chinese text right.
  app.get<{ Querystring: AuditPageQuery }>('/console/audit/export.csv', { schema: { querystring: AuditPageQuery }, config: { auth: 'audit.read' } }, async (request, reply) => {
    const lang = request.lang;
    const filter = auditFilter(request.query);
    const lines = [['at', 'actor', 'action', 'objectType', 'object', 'outcome', 'ip', 'details', 'recordNo'].map((k) => translate(lang, `page.audit.${k}`)).join(',')];
    let cursor: string | undefined;
    let count = 0;
    do {
      const page = await listAuditRecords(platform.db, { ...filter, cursor, limit: 200 });
      lines.push(...csvLines(lang, page.items, await nameRecords(platform, page.items)));
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor && count < EXPORT_MAX);
    const day = workingDays.shanghaiDate(platform.clock.now());
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="audit-${day}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(`\uFEFF${lines.join('\r\n')}\r\n`);
  });
  // Walks the whole chain: a page of its own, so that paging through the log does not repeat it.
  app.get('/console/audit/verify', { schema: { querystring: Strict({ ...PageQueryFields }) }, config: { auth: 'audit.read' } }, async (request, reply) => {
    const chain = await verifyPlatformChain(platform);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.audit.chainTitle'),
      lead: ctx.t('page.audit.chainNote'),
      crumbs: [{ href: '/console/audit', label: ctx.t('console.nav.audit') }, { label: ctx.t('page.audit.chainTitle') }],
      body: (
        <>
          <ChainResult ctx={ctx} result={chain} />
          <p>
            <a href="/console/audit">{ctx.t('page.audit.back')}</a>
          </p>
        </>
      ),
    }));
  });
}
