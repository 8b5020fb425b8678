/**
 * What approval shows on the public home page: 个人办事 / 法人办事, the most applied-for items,
 * the departments that offer items and the life events. Links lead to the service hall's filters.
 * Computed at most every few minutes and again after an item is published or withdrawn.
 */
import { sql } from '../../platform/db/index.ts';
import type { Platform, PortalHomeBlock } from '../../platform/module.ts';
import { catalogueFacets } from './pages/data.ts';
import { FreshCache, forgetCatalogue } from './catalogue-cache.ts';

/** The life events of the national catalogue, in their usual order; others follow by name. */
export const LIFE_EVENTS = ['生育', '入学', '就业', '婚姻', '住房', '养老', '开办企业', '工程建设', '投资建设', '社会保障', '医疗', '出行', '身后事'];
const HOT_COUNT = 8;
const HOT_DAYS = 90;

const homeBlocks = new FreshCache((platform) => computeBlocks(platform));
const facets = new FreshCache((platform) => catalogueFacets(platform.db));

/** Forgets the cached catalogue: the next page reads it again (after publishing or withdrawing an item). */
export const invalidatePortalHome = forgetCatalogue;

export function approvalHomeBlocks(platform: Platform): Promise<PortalHomeBlock[]> {
  return homeBlocks.get(platform);
}

/** The published catalogue's units, themes and life events with their counts (the service hall's facets). */
export function cachedCatalogueFacets(platform: Platform): ReturnType<typeof catalogueFacets> {
  return facets.get(platform);
}

async function hotItems(platform: Platform) {
  const since = new Date(platform.clock.now().getTime() - HOT_DAYS * 86_400_000);
  const { rows } = await sql<{ id: string; name: string; n: number }>`
    select i.id, i.name, coalesce(c.n, 0)::int as n
      from approval_items i
      left join (select item_code, count(*) as n from approval_applications where submitted_at >= ${since} group by item_code) c on c.item_code = i.code
     where i.status = 'published'
     order by c.n desc nulls last, i.name
     limit ${HOT_COUNT}`.execute(platform.db);
  return rows;
}

function eventOrder(a: string, b: string) {
  const ia = LIFE_EVENTS.indexOf(a);
  const ib = LIFE_EVENTS.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
  return a.localeCompare(b, 'zh-CN');
}

async function computeBlocks(platform: Platform): Promise<PortalHomeBlock[]> {
  const [hot, catalogue] = await Promise.all([hotItems(platform), cachedCatalogueFacets(platform)]);
  const more = { href: '/services', key: 'page.approval.home.more' };
  return [
    {
      id: 'audience',
      titleKey: 'page.approval.home.audience.title',
      layout: 'cards',
      links: [
        { href: '/services?target=person', key: 'page.approval.home.audience.person', noteKey: 'page.approval.home.audience.person.text' },
        { href: '/services?target=enterprise', key: 'page.approval.home.audience.enterprise', noteKey: 'page.approval.home.audience.enterprise.text' },
      ],
    },
    {
      id: 'hot',
      titleKey: 'page.approval.home.hot.title',
      layout: 'list',
      links: hot.map((item) => ({ href: `/services/items/${item.id}`, text: item.name, noteKey: item.n ? 'page.approval.home.hot.count' : undefined, count: item.n })),
      emptyKey: 'page.approval.home.hot.empty',
      more,
    },
    {
      id: 'units',
      titleKey: 'page.approval.home.units.title',
      layout: 'chips',
      links: catalogue.units.map(({ unit, count }) => ({ href: `/services?unit=${encodeURIComponent(unit.id)}`, text: unit.name, noteKey: 'page.approval.home.units.count', count })),
    },
    {
      id: 'events',
      titleKey: 'page.approval.home.events.title',
      layout: 'chips',
      links: catalogue.lifeEvents
        .map((f) => f.value)
        .sort(eventOrder)
        .map((value) => ({ href: `/services?lifeEvent=${encodeURIComponent(value)}`, text: value })),
    },
    {
      id: 'public',
      titleKey: 'page.approval.home.public.title',
      layout: 'chips',
      links: [
        { href: '/services/progress', key: 'page.approval.progress.title' },
        { href: '/services/results', key: 'page.approval.results.title' },
        { href: '/services/certificates', key: 'page.approval.certificate.checkTitle' },
      ],
    },
  ];
}
