/**
 * The demo city's portal, made through the module's own commands as the demo's people at the
 * moments they did it: the main site of 云川市人民政府 (owned by the city government's office), the
 * education bureau's and 青溪区's sub-sites and a topic site, all from templates; their footers;
 * a few dozen articles over the last weeks (the main site's notices reviewed by a second editor);
 * sub-site news pushed to the main site's shared columns, accepted, declined or still waiting.
 * Loaded on every demo load: once a site exists, nothing is added.
 */
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { actAs, demoPrincipal } from '../../platform/demo/people.ts';
import { portalDb } from './model.ts';
import { DEMO_ARTICLES, DEMO_SITES, type DemoSiteKey } from './demo-articles.ts';
import { createSite } from './commands/create-site.ts';
import { updateSite } from './commands/update-site.ts';
import { updateColumn } from './commands/update-column.ts';
import { createArticle } from './commands/create-article.ts';
import { submitArticle } from './commands/submit-article.ts';
import { approveArticle } from './commands/approve-article.ts';
import { shareArticle } from './commands/share-article.ts';
import { acceptShare, declineShare } from './commands/decide-share.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Columns that publish without review in the demo: the sub-sites have one editor each; the main
 * site's notices keep their review (周敏 reviews 冯晓东's).
 */
const WITHOUT_REVIEW: Record<DemoSiteKey, string[]> = { main: ['新闻'], edu: ['部门动态', '通知公告'], qingxi: ['县区要闻', '乡镇动态', '通知公告'], topic: ['工作动态', '政策文件', '政策解读'] };

export async function loadPortalDemo(work: Work, platform: Platform, city: DemoCity): Promise<void> {
  if (await portalDb(work.tx).selectFrom('portal_sites').select('id').limit(1).executeTakeFirst()) return;
  const now = platform.clock.now().getTime();
  const at = (ms: number): Platform => ({ ...platform, clock: { now: () => new Date(Math.min(ms, now)) } });
  const sysadmin = await demoPrincipal(work, platform, 'sysadmin');
  const editors: Record<DemoSiteKey, Principal> = {
    main: await demoPrincipal(work, platform, 'editor'),
    edu: await demoPrincipal(work, platform, 'edu_editor'),
    qingxi: await demoPrincipal(work, platform, 'qingxi_editor'),
    topic: await demoPrincipal(work, platform, 'editor'),
  };
  const reviewer = await demoPrincipal(work, platform, 'office_editor');

  // The sites, a month ago, with their footers and the news columns that need no review.
  const start = now - 30 * DAY;
  const siteIds = {} as Record<DemoSiteKey, string>;
  const columns = {} as Record<DemoSiteKey, Map<string, string>>;
  for (const [key, site] of Object.entries(DEMO_SITES) as Array<[DemoSiteKey, (typeof DEMO_SITES)[DemoSiteKey]]>) {
    const unit = city.unit(site.unitKey);
    const made = await actAs(work, sysadmin, (own) => createSite(own, at(start), sysadmin, { name: site.name, kind: site.kind, unitId: unit.id, slug: site.slug, template: site.template }));
    siteIds[key] = made.id;
    const rows = await portalDb(work.tx).selectFrom('portal_columns').select(['id', 'name']).where('site_id', '=', made.id).execute();
    columns[key] = new Map(rows.map((r) => [r.name, r.id]));
    await actAs(work, editors[key], async (own) => {
      await updateSite(own, at(start + HOUR), editors[key], made.id, {
        footer: {
          sponsor: unit.name,
          icp: '浙ICP备12345678号',
          publicSecurity: '浙公网安备 33120002000123号',
          accessibility: '本网站已进行无障碍和适老化改造，支持键盘操作、读屏软件、大字版与高对比度模式。',
          contact: { address: '云川市人民大道1号', phone: '0570-12345678', email: 'webmaster@yunchuan.gov.cn' },
        },
      });
      for (const name of WITHOUT_REVIEW[key]) await updateColumn(own, at(start + HOUR), editors[key], columns[key].get(name)!, { needsReview: false });
    });
  }

  // The articles, oldest first, each published on its day; pushes decided an hour or two later.
  const ordered = [...DEMO_ARTICLES].sort((a, b) => b.daysAgo - a.daysAgo);
  for (const [i, entry] of ordered.entries()) {
    const t = entry.daysAgo === 0 ? now - 4 * HOUR + i * 60_000 : now - entry.daysAgo * DAY - 6 * HOUR + i * 60_000;
    const editor = editors[entry.site];
    const { id } = await actAs(work, editor, (own) =>
      createArticle(own, at(t), editor, {
        siteId: siteIds[entry.site],
        columnId: columns[entry.site].get(entry.column)!,
        title: entry.title,
        summary: entry.summary ?? null,
        body: entry.paragraphs.map((p) => `<p>${p}</p>`).join(''),
        source: entry.source,
        author: editor.displayName,
      }),
    );
    const submitted = await actAs(work, editor, (own) => submitArticle(own, at(t + 5 * 60_000), editor, id));
    if (submitted.status === 'submitted') await actAs(work, reviewer, (own) => approveArticle(own, at(t + 30 * 60_000), reviewer, id));
    if (!entry.push) continue;
    const push = entry.push;
    const share = await actAs(work, editor, (own) => shareArticle(own, at(t + HOUR), editor, id, { columnId: columns.main.get(push.column)! }));
    if (push.decision === 'accept') await actAs(work, editors.main, (own) => acceptShare(own, at(t + 2 * HOUR), editors.main, share.id));
    if (push.decision === 'decline') await actAs(work, editors.main, (own) => declineShare(own, at(t + 2 * HOUR), editors.main, share.id, { reason: push.reason ?? '不符合栏目要求' }));
  }
}
