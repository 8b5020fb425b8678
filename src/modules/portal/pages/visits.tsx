/**
 * 访问统计: visits of a site's public pages per day and per column over a period, from the counts
 * static publishing keeps (src/platform/static/visits.ts: a number per day and page, nothing about
 * the visitor). A page belongs to the column whose address is its folder: list pages and articles
 * of a column share it; the home page, the sitemap and anything else at the site's root are counted
 * under the site itself.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, fieldError, invalid } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole } from '../../../platform/console/index.ts';
import { addCalendarDays, isValidDate, parseDate, shanghaiDate } from '../../../platform/calendar/working-days.ts';
import { visitFigures } from '../../../platform/static/index.ts';
import { attempt, attr, DataTable, EmptyState, RefusalNotice } from '../../../platform/views/index.ts';
import { EDIT_PERMISSION, type SiteRow } from '../model.ts';
import { visibleSites } from '../queries/access.ts';
import { columnTree, type ColumnNode } from '../queries/sites.ts';

const MAX_DAYS = 366;
const VisitsQuery = Strict({
  site: Type.Optional(Id),
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
});

/** The folder of the public files a site's pages are in, and where its pages start. */
function siteFiles(site: SiteRow): { host: string; base: string } {
  if (site.host_name) return { host: site.host_name.toLowerCase(), base: '/' };
  return { host: '_', base: site.kind === 'main' ? '/' : `/s/${site.slug}/` };
}

function period(from: string | undefined, to: string | undefined, today: string): { from: string; to: string } {
  const end = to || today;
  const start = from || addCalendarDays(end, -29);
  const errors = [];
  if (!isValidDate(start)) errors.push(fieldError('from', 'portal.visits.dateInvalid', { value: start }));
  if (!isValidDate(end)) errors.push(fieldError('to', 'portal.visits.dateInvalid', { value: end }));
  if (!errors.length && start > end) errors.push(fieldError('to', 'portal.visits.periodReversed'));
  if (!errors.length && parseDate(end)! - parseDate(start)! + 1 > MAX_DAYS) errors.push(fieldError('to', 'portal.visits.periodTooLong', { days: MAX_DAYS }));
  if (errors.length) throw invalid(errors);
  return { from: start, to: end };
}

function flatten(nodes: Array<ColumnNode & { children?: ColumnNode[] }>): ColumnNode[] {
  return nodes.flatMap((node) => [node, ...flatten((node.children ?? []) as Array<ColumnNode & { children?: ColumnNode[] }>)]);
}

/** A site's visits per day (every day of the period, none left out) and per column, most visited first. */
async function siteVisits(platform: Platform, site: SiteRow, span: { from: string; to: string }) {
  const { host, base } = siteFiles(site);
  const columns = flatten(await columnTree(platform.db, site)).filter((c) => c.kind !== 'external_link');
  const byFolder = new Map(columns.map((c) => [`${base}${c.path}/`, c]));
  const figures = (await visitFigures(platform.db, { ...span, hosts: [host] })).filter(
    // The main site's folder holds the sub-sites' too (/s/…): they are theirs.
    (f) => f.folder.startsWith(base) && !(base === '/' && host === '_' && f.folder.startsWith('/s/')),
  );
  const days = new Map<string, number>();
  for (let day = span.from; day <= span.to; day = addCalendarDays(day, 1)) days.set(day, 0);
  const perColumn = new Map<string, number>();
  let total = 0;
  for (const f of figures) {
    total += f.visits;
    days.set(f.day, (days.get(f.day) ?? 0) + f.visits);
    const column = byFolder.get(f.folder);
    const key = column ? column.id : '';
    perColumn.set(key, (perColumn.get(key) ?? 0) + f.visits);
  }
  const columnRows = [...perColumn].map(([id, visits]) => ({ column: columns.find((c) => c.id === id) ?? null, visits })).sort((a, b) => b.visits - a.visits);
  return { total, days: [...days].map(([day, visits]) => ({ day, visits })), columns: columnRows };
}

export async function visitPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  app.get<{ Querystring: Static<typeof VisitsQuery> }>('/console/portal/visits', { schema: { querystring: VisitsQuery }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const sites = (await visibleSites(platform.db, request.principal!)).map((s) => s.site);
    const site = sites.find((s) => s.id === request.query.site) ?? sites[0] ?? null;
    const today = shanghaiDate(platform.clock.now());
    const result = await attempt(request.lang, async () => {
      const span = period(request.query.from, request.query.to, today);
      return { span, figures: site ? await siteVisits(platform, site, span) : null };
    });
    const from = request.query.from ?? (result.ok ? result.value.span.from : '');
    const to = request.query.to ?? (result.ok ? result.value.span.to : today);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.visits.title'),
      lead: ctx.t('page.portalAdmin.visits.lead'),
      crumbs: [{ label: ctx.t('page.portalAdmin.nav.visits') }],
      status: result.ok ? undefined : result.error.status,
      body: !site ? (
        <EmptyState>
          <p>{ctx.t('page.portalAdmin.visits.noSites')}</p>
        </EmptyState>
      ) : (
        <>
          <form method="get" action="/console/portal/visits" class="form-row">
            <label for="visits-site">{ctx.t('page.portalAdmin.visits.site')}</label>
            <select id="visits-site" name="site" class="input">
              {sites.map((s) => (
                <option value={attr(s.id)} selected={s.id === site.id} safe>
                  {s.name}
                </option>
              ))}
            </select>
            <label for="visits-from">{ctx.t('page.portalAdmin.visits.from')}</label>
            <input id="visits-from" name="from" type="date" class="input input-short" value={attr(from)} />
            <label for="visits-to">{ctx.t('page.portalAdmin.visits.to')}</label>
            <input id="visits-to" name="to" type="date" class="input input-short" value={attr(to)} />
            <button type="submit" class="button button-secondary">
              {ctx.t('page.portalAdmin.visits.show')}
            </button>
          </form>
          {!result.ok ? (
            <RefusalNotice failure={result} />
          ) : (
            <>
              <p class="lead">{ctx.t('page.portalAdmin.visits.total', { site: site.name, from: result.value.span.from, to: result.value.span.to, count: result.value.figures!.total })}</p>
              <div class="split">
                <DataTable id="visits-columns" caption={<>{ctx.t('page.portalAdmin.visits.byColumn')}</>} head={[<>{ctx.t('page.portalAdmin.visits.col.column')}</>, <>{ctx.t('page.portalAdmin.visits.col.visits')}</>]}>
                  {result.value.figures!.columns.length ? (
                    result.value.figures!.columns.map((row) => (
                      <tr>
                        <th scope="row">{row.column ? <span safe>{row.column.name}</span> : ctx.t('page.portalAdmin.visits.siteItself')}</th>
                        <td>{row.visits}</td>
                      </tr>
                    ))
                  ) : (
                    <tr>
                      <td colspan="2">{ctx.t('page.portalAdmin.visits.none')}</td>
                    </tr>
                  )}
                </DataTable>
                <DataTable id="visits-days" caption={<>{ctx.t('page.portalAdmin.visits.byDay')}</>} head={[<>{ctx.t('page.portalAdmin.visits.col.day')}</>, <>{ctx.t('page.portalAdmin.visits.col.visits')}</>]}>
                  {result.value.figures!.days.map((row) => (
                    <tr>
                      <th scope="row" safe>
                        {row.day}
                      </th>
                      <td>{row.visits}</td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            </>
          )}
        </>
      ),
    }));
  });
}
