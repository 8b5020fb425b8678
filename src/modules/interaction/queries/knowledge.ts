/** Searching the hotline's knowledge base: question, answer and keywords, a substring match (Chinese has no word breaks). */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import { escapeLike } from '../../../platform/db/index.ts';
import { interactionDb, type KnowledgeTable } from '../model.ts';

export interface KnowledgeView {
  id: string;
  category: string;
  question: string;
  answer: string;
  keywords: string[];
  active: boolean;
  updatedAt: string;
}

export const toKnowledgeView = (row: Selectable<KnowledgeTable>): KnowledgeView => ({
  id: row.id,
  category: row.category,
  question: row.question,
  answer: row.answer,
  keywords: typeof row.keywords === 'string' ? (JSON.parse(row.keywords) as string[]) : row.keywords,
  active: row.active,
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** One statement: the active entries (all with `all`) whose question, answer or keywords contain `q`, in `category`. */
export async function searchKnowledge(db: Db, filter: { q?: string; category?: string; all?: boolean; limit?: number }): Promise<KnowledgeView[]> {
  let query = interactionDb(db).selectFrom('interaction_knowledge').selectAll();
  if (!filter.all) query = query.where('active', '=', true);
  if (filter.category) query = query.where('category', '=', filter.category);
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    query = query.where((eb) => eb.or([eb('question', 'like', pattern), eb('answer', 'like', pattern), eb(sql<string>`keywords::text`, 'like', pattern)]));
  }
  const rows = await query.orderBy('category').orderBy('question').orderBy('id').limit(filter.limit ?? 20).execute();
  return rows.map(toKnowledgeView);
}

export async function knowledgeCategories(db: Db): Promise<string[]> {
  const rows = await interactionDb(db).selectFrom('interaction_knowledge').select('category').distinct().where('active', '=', true).orderBy('category').limit(200).execute();
  return rows.map((r) => r.category);
}
