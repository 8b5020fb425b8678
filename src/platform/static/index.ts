import type { ZtModule } from '../module.ts';
import { staticMigrations } from './migrations.ts';
import { publishStale } from './queue.ts';
import { resumeRebuilds } from './rebuild.ts';
import { PUBLISH, staticRoutes } from './routes.ts';
import { flushVisits } from './visits.ts';
import { staticNav, staticPageMessages, staticPages } from './console.tsx';

export { installStaticPages, directAnswers, type DirectPages } from './serve.ts';
export { markStale, markPages, publishStale, inTransactionPublishing, publishingBatch } from './queue.ts';
export { rebuildStatic, requestRebuild, runRebuild, resumeRebuilds, type RebuildProgress, type RebuildResult } from './rebuild.ts';
export { publicRoot, pageFile, pageSegments, StaticPathError, DEFAULT_HOST } from './paths.ts';
export { writePages, removePages, digestOf } from './writer.ts';
export { rebuildChangedLayouts, layoutDigest } from './layouts.ts';
import { rebuildChangedLayouts } from './layouts.ts';
export { countVisit, flushVisits, visitFigures, type VisitFigure } from './visits.ts';
export type { RenderedPage, StaticPageSource, PageAddress, EmitPages, RebuildScope, PublishStats } from './types.ts';

/**
 * Static publishing (decision 0016): modules' public pages as files under the data folder,
 * published again exactly when what they show changes. Modules contribute `staticPages`.
 */
export const staticManifest: ZtModule = {
  name: 'static',
  platform: true,
  migrations: staticMigrations,
  routes: async (app, platform) => {
    await staticRoutes(app, platform);
    await app.register(async (pages) => staticPages(pages, platform));
  },
  consoleNav: [staticNav],
  permissions: [{ name: PUBLISH, roles: ['sysadmin'] }],
  messages: [
    staticPageMessages,
    {
      'zh-CN': { 'audit.action.static.rebuild': '重新生成静态页面', 'audit.object.static_rebuild': '静态页面生成' },
      en: { 'audit.action.static.rebuild': 'Static pages rebuilt', 'audit.object.static_rebuild': 'Static page rebuild' },
    },
  ],
  jobs: [
    // What a unit of work queued and nobody published (a crash after commit, a caller that did not wait).
    { name: 'static.publish', everySeconds: 5, run: async (platform) => void (await publishStale(platform)) },
    // Visit counts made in memory where pages are served.
    { name: 'static.visits', everySeconds: 10, run: async (platform) => void (await flushVisits(platform)) },
    // Rebuilds requested through the server, and those a killed process left half-way.
    // A new version's layout first: its rebuild is then run like any other.
    {
      name: 'static.rebuild',
      everySeconds: 10,
      run: async (platform, log) => {
        const changed = await rebuildChangedLayouts(platform);
        if (changed.length) log?.info({ sources: changed }, 'the pages\' layout changed: every page is published again');
        await resumeRebuilds(platform, log);
      },
    },
  ],
};
