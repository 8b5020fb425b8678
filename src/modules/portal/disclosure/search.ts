/**
 * Disclosure items in the platform's search index (decision 0017), written in the unit of work
 * that files or edits them: source `portal.disclosure`, its first-level category's standard code as
 * the search's `category` filter (the same eight categories in every unit's catalogue), the catalogue page as its address.
 * An item whose publication day is still ahead is not indexed (it is not public yet); it is
 * indexed when it is next saved — a scheduled disclosure item does not join the index by itself.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { indexDocuments, removeDocuments } from '../../../platform/search/index.ts';
import { disclosureDb, type ItemRow } from './model.ts';
export { DEFAULT_CATALOGUE } from './model.ts';
import { itemUrl } from './queries/items.ts';

export const DISCLOSURE_DOCUMENTS = 'portal.disclosure';

export async function indexItem(work: Work, platform: Platform, item: ItemRow): Promise<void> {
  const now = platform.clock.now();
  // By calendar day (Asia/Shanghai): an item dated today is indexed when filed, even before its hour.
  const day = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  if (day(item.published_at) > day(now)) {
    await removeDocuments(work, DISCLOSURE_DOCUMENTS, [item.id]);
    return;
  }
  // The first-level category's standard code ('statistics'): the same filter across every unit's catalogue.
  const root = await disclosureDb(work.tx).selectFrom('portal_disclosure_categories').select(['id', 'code']).where('id', '=', item.root_category_id).executeTakeFirst();
  const facts = [item.index_no, item.doc_number, item.subject_terms].filter(Boolean).join(' ');
  await indexDocuments(work, [{ source: DISCLOSURE_DOCUMENTS, id: item.id, category: root?.code ?? item.root_category_id, title: item.title, body: `${facts}\n${item.body.replace(/<[^>]*>/g, ' ')}`, url: itemUrl(item), publishedAt: item.published_at }], now);
}
