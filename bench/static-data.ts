/**
 * A synthetic site group for the static publishing benchmark: 1 main site and 100 sub-sites,
 * 600 columns, N articles with ~2 KB bodies, and a page source shaped like a portal's: article
 * pages (depending on the article, its column and its site's navigation), paginated column lists
 * (depending on the column) and one home page per site (depending on the site's columns).
 */
import { sql } from 'kysely';
import type { Platform, ZtModule } from '../src/platform/module.ts';
import type { RenderedPage, StaticPageSource } from '../src/platform/static/index.ts';

export const SITES = 101;
export const COLUMNS = 600;
export const LIST_SIZE = 20;
const READ_BATCH = 2000;

interface Article { id: number; column_id: number; title: string; summary: string; body: string; published_at: Date }
interface Column { id: number; site_id: number; name: string }
interface Site { id: number; slug: string; name: string }

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const base = (site: Site) => (site.id === 0 ? '' : `/s/${site.slug}`);
export const articlePath = (site: Site, id: number) => `${base(site)}/a/${id}.html`;
const listPath = (site: Site, column: number, page: number) => `${base(site)}/c/${column}/${page === 1 ? '' : `${page}.html`}`;

function shell(site: Site, columns: Column[], title: string, main: string): string {
  const nav = columns.map((c) => `<li><a href="${listPath(site, c.id, 1)}">${esc(c.name)}</a></li>`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} - ${esc(site.name)}</title><link rel="stylesheet" href="/assets/app.css"></head><body><a class="skip" href="#main">跳到正文</a><header><p class="site">${esc(site.name)}</p><nav><ul>${nav}</ul></nav></header><main id="main">${main}</main><footer><p>主办单位：${esc(site.name)} · ICP备案号：滇ICP备00000000号</p></footer></body></html>`;
}

export interface SiteGroup { sites: Site[]; columns: Map<number, Column>; columnsOf: Map<number, Column[]> }

let cached: { group: Promise<SiteGroup>; until: number } | null = null;

/** The sites and columns, read once a second at most: every page shows its site's navigation. */
function groupOf(platform: Platform): Promise<SiteGroup> {
  if (!cached || cached.until < Date.now()) cached = { group: loadGroup(platform), until: Date.now() + 1000 };
  return cached.group;
}

export async function loadGroup(platform: Platform): Promise<SiteGroup> {
  const sites = (await sql<Site>`select id, slug, name from bench_sites order by id`.execute(platform.db)).rows;
  const columns = (await sql<Column>`select id, site_id, name from bench_columns order by id`.execute(platform.db)).rows;
  const columnsOf = new Map<number, Column[]>(sites.map((s) => [s.id, []]));
  for (const c of columns) columnsOf.get(c.site_id)!.push(c);
  return { sites, columns: new Map(columns.map((c) => [c.id, c])), columnsOf };
}

function articlePage(group: SiteGroup, a: Article): RenderedPage {
  const column = group.columns.get(a.column_id)!;
  const site = group.sites[column.site_id];
  const main = `<article><h1>${esc(a.title)}</h1><p class="meta">${esc(column.name)} · ${a.published_at.toISOString().slice(0, 10)}</p><p class="summary">${esc(a.summary)}</p>${a.body}</article>`;
  return { host: null, path: articlePath(site, a.id), body: shell(site, group.columnsOf.get(site.id)!, a.title, main), dependsOn: [`article:${a.id}`, `column:${column.id}`, `site:${site.id}:nav`] };
}

function listPages(group: SiteGroup, column: Column, items: Array<{ id: number; title: string; published_at: Date }>): RenderedPage[] {
  const site = group.sites[column.site_id];
  const pages = Math.max(1, Math.ceil(items.length / LIST_SIZE));
  const out: RenderedPage[] = [];
  for (let page = 1; page <= pages; page++) {
    const slice = items.slice((page - 1) * LIST_SIZE, page * LIST_SIZE);
    const list = slice.map((i) => `<li><a href="${articlePath(site, i.id)}">${esc(i.title)}</a> <time>${i.published_at.toISOString().slice(0, 10)}</time></li>`).join('');
    const pager = `<nav aria-label="分页">${page > 1 ? `<a href="${listPath(site, column.id, page - 1)}">上一页</a>` : ''} 第${page}页，共${pages}页 ${page < pages ? `<a href="${listPath(site, column.id, page + 1)}">下一页</a>` : ''}</nav>`;
    // A new, edited or withdrawn article shifts every page of its column's list: all of them depend on the list.
    out.push({ host: null, path: listPath(site, column.id, page), body: shell(site, group.columnsOf.get(site.id)!, column.name, `<h1>${esc(column.name)}</h1><ul>${list}</ul>${pager}`), dependsOn: [`column:${column.id}`, `column:${column.id}:list`, `site:${site.id}:nav`] });
  }
  return out;
}

const articleColumns = sql`a.id, a.column_id, a.title, a.summary, a.body, a.published_at`;

export const benchSource: StaticPageSource = {
  name: 'bench.pages',
  async render(platform, address) {
    const group = await groupOf(platform);
    const article = /\/a\/(\d+)\.html$/.exec(address.path);
    if (article) {
      const row = (await sql<Article>`select ${articleColumns} from bench_articles a where a.id = ${Number(article[1])}`.execute(platform.db)).rows[0];
      return row ? articlePage(group, row) : null;
    }
    const list = /\/c\/(\d+)\/(?:(\d+)\.html)?$/.exec(address.path);
    if (list) {
      const column = group.columns.get(Number(list[1]));
      if (!column) return null;
      const page = Number(list[2] ?? 1);
      const items = (await sql<{ id: number; title: string; published_at: Date }>`select id, title, published_at from bench_articles where column_id = ${column.id} order by published_at desc, id desc`.execute(platform.db)).rows;
      return listPages(group, column, items)[page - 1] ?? null;
    }
    return null;
  },
  // Articles by id in batches of 2,000 (cursor: the last id), then every column's lists.
  async rebuild(platform, scope, emit) {
    const group = await loadGroup(platform);
    const siteFilter = scope.site === undefined ? sql`true` : sql`c.site_id = ${Number(scope.site)}`;
    let after = scope.after === 'lists' ? Number.MAX_SAFE_INTEGER : Number(scope.after ?? 0);
    for (;;) {
      const rows = (await sql<Article>`select ${articleColumns} from bench_articles a join bench_columns c on c.id = a.column_id where ${siteFilter} and a.id > ${after} order by a.id limit ${READ_BATCH}`.execute(platform.db)).rows;
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      await emit(rows.map((a) => articlePage(group, a)), String(after));
    }
    let pending: RenderedPage[] = [];
    const columns = [...group.columns.values()].filter((c) => scope.site === undefined || c.site_id === Number(scope.site));
    for (let i = 0; i < columns.length; i += 50) {
      const chunk = columns.slice(i, i + 50);
      const rows = (await sql<{ id: number; column_id: number; title: string; published_at: Date }>`select id, column_id, title, published_at from bench_articles where column_id = any(${chunk.map((c) => c.id)}::int[]) order by column_id, published_at desc, id desc`.execute(platform.db)).rows;
      const byColumn = new Map<number, typeof rows>(chunk.map((c) => [c.id, []]));
      for (const r of rows) byColumn.get(r.column_id)!.push(r);
      for (const c of chunk) pending.push(...listPages(group, c, byColumn.get(c.id)!));
      if (pending.length >= READ_BATCH) {
        await emit(pending, 'lists');
        pending = [];
      }
    }
    if (pending.length) await emit(pending, 'lists');
  },
};

export const benchStaticModule: ZtModule = {
  name: 'bench',
  migrations: {
    '20991231_0900_bench_static_group': {
      async up(db) {
        await sql`create table bench_sites (id integer primary key, slug text not null, name text not null)`.execute(db);
        await sql`create table bench_columns (id integer primary key, site_id integer not null, name text not null)`.execute(db);
        await sql`create table bench_articles (id integer primary key, column_id integer not null, title text not null, summary text not null, body text not null, published_at timestamptz not null)`.execute(db);
      },
    },
  },
  staticPages: [benchSource],
};

/** The group's rows, generated in the database (seconds for 300,000 articles). */
export async function seedGroup(platform: Platform, articles: number) {
  await sql`insert into bench_sites select g, 'site' || g, case when g = 0 then '云川市人民政府' else '云川市第' || g || '部门' end from generate_series(0, ${SITES - 1}) g`.execute(platform.db);
  await sql`insert into bench_columns select g, g % ${SITES}, '栏目' || g from generate_series(1, ${COLUMNS}) g`.execute(platform.db);
  const paragraph = '为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能，现将有关事项通知如下。';
  await sql`
    insert into bench_articles
    select g, 1 + (g::bigint * 7919) % ${COLUMNS}, '关于做好第' || g || '项政务公开工作的通知', '摘要：' || ${paragraph},
           repeat('<p>' || ${paragraph} || '</p>', 12), timestamptz '2024-01-01' + (g || ' minutes')::interval
      from generate_series(1, ${articles}) g`.execute(platform.db);
  await sql`create index bench_articles_column on bench_articles (column_id, published_at desc, id desc)`.execute(platform.db);
  await sql`analyze`.execute(platform.db);
}
