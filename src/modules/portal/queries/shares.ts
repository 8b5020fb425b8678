/** Reading shares: the main site's inbox, a sub-site's pushes, the per-unit figures, and a column's public items. */
import { sql, type Db } from '../../../platform/db/index.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { keysetAfter, keysetOrder, pageOf, readCursor, type Keyset } from '../../../platform/db/pagination.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { portalDb, type ShareStatus } from '../model.ts';
import { articleUrlIn, siteUrl } from '../urls.ts';
import { findColumn, findSite, visibleSites, mayEditUnit } from './access.ts';

interface ShareListRow {
  id: string;
  status: ShareStatus;
  reason: string | null;
  pushed_at: Date;
  decided_at: Date | null;
  article_id: string;
  title: string;
  summary: string | null;
  article_status: string;
  published_at: Date | null;
  column_id: string;
  column_name: string;
  source_site_id: string;
  source_site_name: string;
  source_unit_id: string;
}

const NEWEST_PUSH: Keyset<ShareListRow> = {
  keys: [
    { by: 's.pushed_at', kind: 'timestamp', of: (r) => r.pushed_at },
    { by: 's.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/**
 * Shares, newest push first: `inbox` those waiting in (or decided for) the shared columns of the
 * sites the caller edits — the main site's editors; `outbox` those pushed from the caller's sites.
 */
export async function listShares(db: Db, principal: Principal, filter: { status?: ShareStatus; direction: 'inbox' | 'outbox'; limit: number; cursor?: string }) {
  const siteIds = (await visibleSites(db, principal)).filter(({ unit }) => mayEditUnit(principal, unit)).map(({ site }) => site.id);
  if (!siteIds.length) return { items: [], nextCursor: null };
  const after = readCursor(filter.cursor, ['timestamp', 'text']);
  const { rows } = await sql<ShareListRow>`
    select s.id, s.status, s.reason, s.pushed_at, s.decided_at, a.id as article_id, a.title, a.summary, a.status as article_status, a.published_at,
           c.id as column_id, c.name as column_name, src.id as source_site_id, src.name as source_site_name, s.source_unit_id
    from portal_shares s
    join portal_articles a on a.id = s.article_id
    join portal_columns c on c.id = s.column_id
    join portal_sites src on src.id = s.source_site_id
    where ${filter.direction === 'inbox' ? sql`s.site_id` : sql`s.source_site_id`} in (${sql.join(siteIds)})
      ${filter.status ? sql`and s.status = ${filter.status}` : sql``}
      ${after ? sql`and ${keysetAfter(NEWEST_PUSH, after)}` : sql``}
    order by ${keysetOrder(NEWEST_PUSH)}
    limit ${filter.limit + 1}`.execute(db);
  const page = pageOf(rows, filter.limit, NEWEST_PUSH);
  return {
    items: page.items.map((r) => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      pushedAt: r.pushed_at,
      decidedAt: r.decided_at,
      articleId: r.article_id,
      title: r.title,
      summary: r.summary,
      publishedAt: r.published_at,
      columnId: r.column_id,
      columnName: r.column_name,
      sourceSiteId: r.source_site_id,
      sourceSiteName: r.source_site_name,
      sourceUnitId: r.source_unit_id,
    })),
    nextCursor: page.nextCursor,
  };
}

/** Per source unit: items pushed in the period, and of them accepted, declined, still pending (信息报送 figures). */
export async function shareStats(db: Db, range: { from: Date; to: Date }) {
  const { rows } = await sql<{ unit_id: string; pushed: number; accepted: number; declined: number; pending: number }>`
    select source_unit_id as unit_id, count(*)::int as pushed,
           count(*) filter (where accepted_at is not null)::int as accepted,
           count(*) filter (where status = 'declined')::int as declined,
           count(*) filter (where status = 'pending')::int as pending
    from portal_shares where pushed_at >= ${range.from} and pushed_at < ${range.to}
    group by source_unit_id`.execute(db);
  const units = new Map((await getUnits(db, rows.map((r) => r.unit_id))).map((u) => [u.id, u.name]));
  return {
    items: rows
      .map((r) => ({ unitId: r.unit_id, unitName: units.get(r.unit_id) ?? '', pushed: r.pushed, accepted: r.accepted, declined: r.declined, pending: r.pending, acceptRate: r.pushed ? Math.round((r.accepted / r.pushed) * 1000) / 1000 : 0 }))
      .sort((x, y) => y.accepted - x.accepted || y.pushed - x.pushed || x.unitName.localeCompare(y.unitName, 'zh-CN')),
  };
}

/** An item of a column's list: the article, and whether it is a shared (报送) copy from another site. */
export interface ColumnItemRow {
  id: string;
  title: string;
  summary: string | null;
  published_at: Date;
  site_id: string;
  shared: boolean;
}
const NEWEST_PUBLISHED: Keyset<ColumnItemRow> = {
  keys: [
    { by: 'published_at', kind: 'timestamp', of: (r) => r.published_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/**
 * What the public sees in a column, newest first: its own published articles and, in a shared
 * column, the accepted items of the sub-sites with their source site — always the original's
 * current title and state, so edits and withdrawals follow at once.
 */
export async function columnItems(db: Db, columnId: string, page: { limit: number; cursor?: string }) {
  const column = await findColumn(db, columnId);
  const site = column ? await findSite(db, column.site_id) : null;
  if (!column || !site) throw notFound();
  const after = readCursor(page.cursor, ['timestamp', 'text']);
  const { rows } = await sql<ColumnItemRow>`
    select * from (
      select a.id, a.title, a.summary, a.published_at, a.site_id, false as shared from portal_articles a
      where a.column_id = ${column.id} and a.status = 'published'
      union all
      select a.id, a.title, a.summary, a.published_at, a.site_id, true as shared from portal_shares s join portal_articles a on a.id = s.article_id
      where s.column_id = ${column.id} and s.status = 'accepted' and a.status = 'published'
    ) items
    ${after ? sql`where ${keysetAfter(NEWEST_PUBLISHED, after)}` : sql``}
    order by ${keysetOrder(NEWEST_PUBLISHED)}
    limit ${page.limit + 1}`.execute(db);
  const result = pageOf(rows, page.limit, NEWEST_PUBLISHED);
  const sourceIds = [...new Set(result.items.filter((r) => r.shared).map((r) => r.site_id))];
  const sources = new Map((sourceIds.length ? await portalDb(db).selectFrom('portal_sites').selectAll().where('id', 'in', sourceIds).execute() : []).map((s) => [s.id, s]));
  return {
    columnId: column.id,
    siteId: site.id,
    items: result.items.map((r) => {
      const source = r.shared ? sources.get(r.site_id) : undefined;
      return {
        id: r.id,
        title: r.title,
        summary: r.summary,
        publishedAt: r.published_at,
        url: articleUrlIn(site, column, r.id),
        shared: r.shared,
        sourceSiteId: r.site_id,
        sourceSiteName: source?.name ?? site.name,
        sourceUrl: source ? siteUrl(source) : null,
      };
    }),
    nextCursor: result.nextCursor,
  };
}
