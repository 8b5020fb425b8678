/**
 * The moves of an article's state shared by the workflow commands and the schedule job: the action
 * log (append-only), going live (now, or at its publish time), and coming down (withdrawal or the
 * end of its publication), which takes it off every shared column too.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { portalDb, type ArticleRow, type ArticleStatus } from '../model.ts';
import { publishArticleChanged, type ArticleChanged } from '../events.ts';
import { placementChange, placementsOf } from '../queries/placements.ts';

export async function recordAction(work: Work, article: Pick<ArticleRow, 'id' | 'status'>, action: string, to: ArticleStatus, actorId: string | null, at: Date, reason: string | null = null) {
  await portalDb(work.tx)
    .insertInto('portal_article_actions')
    .values({ article_id: article.id, action, from_status: article.status, to_status: to, reason, actor_id: actorId, at })
    .execute();
}

/** Publishes the event of a change visible to the public, with where it was shown before. */
export async function announce(work: Work, platform: Platform, article: ArticleRow, change: ArticleChanged['change'], before: ArticleChanged['placements'], extraHomeColumns: string[] = []) {
  const after = await placementsOf(work.tx, article);
  await publishArticleChanged(work, platform, {
    articleId: article.id,
    siteId: article.site_id,
    unitId: article.unit_id,
    change,
    status: article.status,
    ...placementChange(before, after, [article.column_id, ...extraHomeColumns]),
    revision: article.revision,
    publishedAt: article.published_at,
  });
}

/**
 * Approved (or submitted to a column without review): published now, or, with a publish time ahead,
 * kept `submitted` with `scheduled` set until the schedule job publishes it at that time.
 */
export async function goLive(work: Work, platform: Platform, article: ArticleRow, now: Date, actorId: string | null, action: string, extra: Partial<ArticleRow> = {}): Promise<ArticleRow> {
  const db = portalDb(work.tx);
  if (article.publish_at && article.publish_at > now) {
    const row = await db.updateTable('portal_articles').set({ ...extra, status: 'submitted', scheduled: true, updated_at: now, version: article.version + 1 }).where('id', '=', article.id).returningAll().executeTakeFirstOrThrow();
    await recordAction(work, article, `${action}.scheduled`, 'submitted', actorId, now);
    return row;
  }
  const publishedAt = article.publish_at ?? now;
  const row = await db
    .updateTable('portal_articles')
    .set({ ...extra, status: 'published', scheduled: false, reason: null, published_at: publishedAt, first_published_at: article.first_published_at ?? publishedAt, updated_at: now, version: article.version + 1 })
    .where('id', '=', article.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAction(work, article, action, 'published', actorId, now);
  await announce(work, platform, row, 'published', []);
  return row;
}

/** Withdrawn (撤稿, with its reason) or unpublished (its time came): off its column and every shared column. */
export async function takeDown(work: Work, platform: Platform, article: ArticleRow, now: Date, actorId: string | null, change: 'withdrawn' | 'unpublished', reason: string | null): Promise<ArticleRow> {
  const before = await placementsOf(work.tx, article);
  const db = portalDb(work.tx);
  const row = await db
    .updateTable('portal_articles')
    .set({ status: 'withdrawn', scheduled: false, reason, updated_at: now, version: article.version + 1 })
    .where('id', '=', article.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.updateTable('portal_shares').set({ status: 'removed', removed_at: now }).where('article_id', '=', article.id).where('status', 'in', ['pending', 'accepted']).execute();
  await recordAction(work, article, change === 'withdrawn' ? 'withdraw' : 'unpublish', 'withdrawn', actorId, now, reason);
  await announce(work, platform, row, change, before);
  return row;
}
