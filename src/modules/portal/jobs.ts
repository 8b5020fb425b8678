/**
 * Scheduled publishing and unpublishing (定时发布/下线): the rows are the schedule, so it survives any
 * restart. Each run claims the due articles with FOR UPDATE SKIP LOCKED (any number of processes)
 * and moves each in its own unit of work, with its event, as an approval would.
 */
import { sql } from '../../platform/db/index.ts';
import { SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { inTransactionPublishing } from '../../platform/static/index.ts';
import type { JobDefinition, Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { ARTICLE_OBJECT, portalDb } from './model.ts';
import { goLive, takeDown } from './commands/article-state.ts';

const BATCH = 100;

/** Publishes the scheduled articles whose time has come and takes down those whose end has; returns how many moved. */
export async function runPortalSchedule(platform: Platform): Promise<{ published: number; unpublished: number }> {
  let published = 0;
  let unpublished = 0;
  for (;;) {
    // Each batch's pages are written before the next batch is claimed (the route-await guarantee, for the job).
    const moved = await inTransactionPublishing(platform, SYSTEM_ACTOR, async (work) => {
      const now = platform.clock.now();
      // Two claims (FOR UPDATE cannot stand in a UNION): due publications, then due ends.
      const due = await sql<{ id: string }>`
        select id from portal_articles where scheduled and publish_at <= ${now} order by publish_at limit ${BATCH} for update skip locked`.execute(work.tx);
      const ending = await sql<{ id: string }>`
        select id from portal_articles where status = 'published' and unpublish_at <= ${now} order by unpublish_at limit ${BATCH} for update skip locked`.execute(work.tx);
      const rows = [...due.rows.map((r) => ({ id: r.id, kind: 'publish' as const })), ...ending.rows.map((r) => ({ id: r.id, kind: 'unpublish' as const }))];
      for (const row of rows) {
        const article = await portalDb(work.tx).selectFrom('portal_articles').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        if (row.kind === 'publish') {
          await goLive(work, platform, article, now, null, 'schedule');
          published++;
        } else {
          await takeDown(work, platform, article, now, null, 'unpublished', null);
          unpublished++;
        }
        recordAudit(work, { action: `portal.article.${row.kind === 'publish' ? 'schedulePublish' : 'scheduleUnpublish'}`, objectType: ARTICLE_OBJECT, objectId: article.id, details: { title: article.title } }, now);
      }
      return rows.length;
    });
    if (moved < BATCH) break;
  }
  return { published, unpublished };
}

export const portalJobs: JobDefinition[] = [{ name: 'portal.schedule', everySeconds: 15, run: async (platform) => void (await runPortalSchedule(platform)) }];
