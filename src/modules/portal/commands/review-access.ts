/** The article a workflow command acts on, locked, with its column and unit; outside the caller's sites: 404. */
import type { Work } from '../../../platform/db/work.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import type { Unit } from '../../../platform/org/service.ts';
import type { ArticleRow, ArticleStatus, ColumnRow, SiteRow } from '../model.ts';
import { accessibleSite, findArticle, findColumn } from '../queries/access.ts';

export interface ArticleContext {
  article: ArticleRow;
  column: ColumnRow;
  site: SiteRow;
  unit: Unit;
}

export async function articleFor(work: Work, principal: Principal, id: string, states: ArticleStatus[]): Promise<ArticleContext> {
  const article = await findArticle(work.tx, id, work);
  if (!article) throw notFound();
  const { site, unit } = await accessibleSite(work.tx, principal, article.site_id, 'edit');
  if (!states.includes(article.status)) throw new AppError('INVALID_STATE', { detail: { key: 'portal.article.wrongState', params: { status: article.status } } });
  const column = (await findColumn(work.tx, article.column_id))!;
  return { article, column, site, unit };
}

/** Review is another editor's of the unit, or its unit_admin's: never the author's (nor the submitter's). */
export function checkReviewer(principal: Principal, article: ArticleRow) {
  if (article.created_by === principal.userId || article.submitted_by === principal.userId) {
    throw new AppError('PORTAL_OWN_ARTICLE', { detail: { key: 'portal.article.ownReview' } });
  }
}
