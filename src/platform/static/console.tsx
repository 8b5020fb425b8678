/**
 * 静态发布 in the console: how many pages are published, what waits in the queue and since when,
 * the latest full rebuilds with their progress, and a button that asks for a rebuild of all sites.
 * The system administrator's page, beside the API (GET /api/v1/static/status).
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Platform } from '../module.ts';
import { actorOf } from '../http/index.ts';
import { pageScope, renderConsole, type NavGroup } from '../console/index.ts';
import { DataTable, EmptyState, FormBody, formatDateTime, PostButton, redirect, setFlash } from '../views/index.ts';
import { PUBLISH, requestRebuildAudited, staticStatus } from './routes.ts';

const PAGE = '/console/static';

export const staticNav: NavGroup = {
  id: 'static',
  key: 'page.static.nav.group',
  items: [{ href: PAGE, key: 'page.static.nav.status', permission: PUBLISH }],
};

export async function staticPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  app.get(PAGE, { config: { auth: PUBLISH } }, async (request, reply) => {
    const status = await staticStatus(platform);
    return renderConsole(platform, request, reply, (ctx) => {
      const when = (iso: string | null) => (iso ? formatDateTime(iso, ctx.lang) : ctx.t('page.static.none'));
      return {
        title: ctx.t('page.static.title'),
        lead: ctx.t('page.static.lead'),
        crumbs: [{ label: ctx.t('page.static.nav.status') }],
        body: (
          <>
            <dl class="facts">
              <dt>{ctx.t('page.static.pages')}</dt>
              <dd>{status.pages}</dd>
              <dt>{ctx.t('page.static.queued')}</dt>
              <dd>{status.queued}</dd>
              <dt>{ctx.t('page.static.oldestQueued')}</dt>
              <dd>{when(status.oldestQueuedAt)}</dd>
            </dl>
            <PostButton ctx={ctx} action={`${PAGE}/rebuilds`} label={ctx.ta('page.static.rebuildAll')} variant="secondary" />
            {status.rebuilds.length ? (
              <DataTable
                id="static-rebuilds"
                stack
                caption={<>{ctx.t('page.static.rebuilds')}</>}
                head={['startedAt', 'state', 'pages', 'finishedAt'].map((c) => (
                  <>{ctx.t(`page.static.col.${c}`)}</>
                ))}
              >
                {status.rebuilds.map((r) => (
                  <tr>
                    <td data-label={ctx.ta('page.static.col.startedAt')} safe>
                      {formatDateTime(r.startedAt, ctx.lang)}
                    </td>
                    <td data-label={ctx.ta('page.static.col.state')}>{ctx.t(`page.static.state.${r.state}`)}</td>
                    <td data-label={ctx.ta('page.static.col.pages')}>{r.pages}</td>
                    <td data-label={ctx.ta('page.static.col.finishedAt')}>
                      {when(r.finishedAt)}
                    </td>
                  </tr>
                ))}
              </DataTable>
            ) : (
              <EmptyState>
                <p>{ctx.t('page.static.noRebuilds')}</p>
              </EmptyState>
            )}
          </>
        ),
      };
    });
  });

  app.post<{ Body: Static<typeof FormBody> }>(`${PAGE}/rebuilds`, { schema: { body: FormBody }, config: { auth: PUBLISH } }, async (request, reply) => {
    await requestRebuildAudited(platform, actorOf(request), null);
    setFlash(reply, { kind: 'success', key: 'page.static.rebuildRequested' });
    return redirect(reply, PAGE);
  });
}

export const staticPageMessages = {
  'zh-CN': {
    'page.static.nav.group': '网站发布',
    'page.static.nav.status': '发布状态',
    'page.static.nav.status.desc': '已发布的页面、等待发布的更新和全量重新生成的进度',
    'page.static.title': '发布状态',
    'page.static.lead': '公开页面以静态文件发布。每次修改都会在同一次操作中重新生成受影响的页面；这里显示等待发布的更新和全量重新生成的情况。',
    'page.static.pages': '已发布页面',
    'page.static.queued': '等待发布的更新',
    'page.static.oldestQueued': '最早的等待更新',
    'page.static.none': '无',
    'page.static.rebuildAll': '重新生成全部页面',
    'page.static.rebuildRequested': '已提交全量重新生成，稍后在此查看进度',
    'page.static.rebuilds': '最近的全量重新生成',
    'page.static.noRebuilds': '还没有进行过全量重新生成。',
    'page.static.col.startedAt': '开始时间',
    'page.static.col.state': '状态',
    'page.static.col.pages': '已生成页面',
    'page.static.col.finishedAt': '完成时间',
    'page.static.state.running': '进行中',
    'page.static.state.done': '已完成',
  },
  en: {
    'page.static.nav.group': 'Publishing',
    'page.static.nav.status': 'Publishing status',
    'page.static.nav.status.desc': 'Published pages, updates waiting and the progress of full rebuilds',
    'page.static.title': 'Publishing status',
    'page.static.lead': 'Public pages are published as static files. Every change re-renders the pages it affects in the same operation; this page shows updates waiting and full rebuilds.',
    'page.static.pages': 'Published pages',
    'page.static.queued': 'Updates waiting',
    'page.static.oldestQueued': 'Oldest update waiting',
    'page.static.none': 'None',
    'page.static.rebuildAll': 'Rebuild every page',
    'page.static.rebuildRequested': 'A full rebuild was requested; its progress shows here',
    'page.static.rebuilds': 'Latest full rebuilds',
    'page.static.noRebuilds': 'No full rebuild has been run yet.',
    'page.static.col.startedAt': 'Started',
    'page.static.col.state': 'State',
    'page.static.col.pages': 'Pages made',
    'page.static.col.finishedAt': 'Finished',
    'page.static.state.running': 'Running',
    'page.static.state.done': 'Done',
  },
};
