import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { approvalMigrations } from './migrations.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { applicationsRoutes } from './applications-routes.ts';
import { publicRoutes } from './public-routes.ts';
import { approvalPages } from './pages/index.ts';

async function approvalRoutes(app: FastifyInstance, platform: Platform) {
  await catalogueRoutes(app, platform);
  await applicationsRoutes(app, platform);
  await publicRoutes(app, platform);
  await app.register(async (pages) => approvalPages(pages, platform));
}

/** Online administrative approval (网上审批): catalogue, applications, parallel approval, results. */
export const approvalModule: ZtModule = { name: 'approval', migrations: approvalMigrations, routes: approvalRoutes };
