import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { approvalMigrations } from './migrations.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { applicationsRoutes } from './applications-routes.ts';
import { publicRoutes } from './public-routes.ts';
import { documentsRoutes } from './documents-routes.ts';
import { DOCUMENT_OWNER, mayDownloadDocuments } from './documents/service.ts';
import { mayDownloadSeal, SEAL_OWNER, SEAL_PERMISSION } from './documents/seals.ts';
import { meRoutes } from './me-routes.ts';
import { approvalNav, approvalPages, TASKS_PERMISSION } from './pages/index.ts';
import { CATALOGUE_PERMISSION, ITEM_FILE_OWNER, mayDownloadItemFiles } from './queries/items.ts';
import { approvalMessages } from './messages/index.ts';
import { approvalTemplates } from './templates.ts';
import { approvalPortalMessages } from './pages/portal-messages.ts';
import { approvalMineMessages } from './pages/mine-messages.ts';
import { ACCOUNT_PAGES } from './pages/mine-parts.tsx';
import { APPROVAL_CASE_CHANGED } from './events.ts';
import { approvalCaseSubject } from './supervised-subject.ts';
import { approvalTasks } from './tasks.ts';
import { CASE_SUBJECT, MATERIAL_OWNER, mayDownloadMaterials } from './queries/cases.ts';
import { countOpenTasks } from '../../platform/tasks/index.ts';
import { approvalAuditMessages } from './messages/audit.ts';
import { approvalAuditObjects } from './audit-objects.ts';
import { loadApprovalDemo } from './demo.ts';
import { approvalHomeBlocks } from './portal-home.ts';
import { generateDemoCases } from './demo-cases.ts';

async function approvalRoutes(app: FastifyInstance, platform: Platform) {
  await catalogueRoutes(app, platform);
  await applicationsRoutes(app, platform);
  await publicRoutes(app, platform);
  await documentsRoutes(app, platform);
  await meRoutes(app, platform);
  await app.register(async (pages) => approvalPages(pages, platform));
}

/** Online administrative approval (网上审批): catalogue, applications, parallel approval, results. */
export const approvalModule: ZtModule = {
  name: 'approval',
  migrations: approvalMigrations,
  routes: approvalRoutes,
  messages: [...approvalMessages, approvalPortalMessages, approvalMineMessages, approvalAuditMessages],
  auditObjects: approvalAuditObjects,
  templates: approvalTemplates,
  permissions: [
    { name: 'approval.intake', roles: ['window_clerk', 'village_officer'] },
    { name: 'approval.handle', roles: ['approver', 'unit_leader'] },
    { name: 'approval.lead', roles: ['unit_leader'] },
    // The unit's leader decides what the unit offers; the unit's administrator keeps the list.
    { name: CATALOGUE_PERMISSION, roles: ['unit_leader', 'unit_admin'] },
    // Everyone who holds a step of a case (acceptance or review) sees the task inbox.
    // The unit's administrator keeps the unit's seal image printed on the documents it issues.
    { name: SEAL_PERMISSION, roles: ['unit_admin'] },
    { name: TASKS_PERMISSION, roles: ['window_clerk', 'village_officer', 'approver', 'unit_leader'] },
  ],
  consoleNav: [approvalNav],
  tasks: [approvalTasks],
  dashboard: [
    { id: 'approval.myTasks', key: 'approval.dashboard.myTasks', permission: TASKS_PERMISSION, href: '/console/approval/tasks', count: (platform, principal) => countOpenTasks(platform.db, principal, [CASE_SUBJECT]) },
  ],
  portal: {
    nav: [{ href: '/services', key: 'page.approval.portal.nav' }],
    search: { action: '/services' },
    home: approvalHomeBlocks,
    sections: [
      {
        id: 'services',
        key: 'page.approval.portal.section',
        textKey: 'page.approval.portal.text',
        linkKey: 'page.approval.portal.enter',
        href: '/services',
        items: ['page.approval.portal.catalogue', 'page.approval.portal.apply', 'page.approval.portal.progress', 'page.approval.portal.certificates'],
      },
    ],
    accountHome: { href: '/services/mine', key: 'page.approval.portal.mine' },
    account: ACCOUNT_PAGES,
  },
  publishes: [APPROVAL_CASE_CHANGED],
  // Cases are supervised: their steps' deadlines, the rules on every action, the monitor's counts.
  supervisedSubjects: [approvalCaseSubject],
  demo: loadApprovalDemo,
  demoActivity: { generate: generateDemoCases },
  fileAccess: {
    [MATERIAL_OWNER]: mayDownloadMaterials,
    [ITEM_FILE_OWNER]: mayDownloadItemFiles,
    [DOCUMENT_OWNER]: mayDownloadDocuments,
    [SEAL_OWNER]: mayDownloadSeal,
  },
};

export type { ApprovalCaseChanged } from './events.ts';
/** The official-document renderer (PDF with the CJK font), shared with the meetings' sign-in sheet. */
export { chineseDate, renderOfficialDocument } from './documents/pdf.ts';

/** The unit's seal image (PNG) set on 单位印章, or null: the documents other modules issue for the unit carry it too. */
export { sealImage as unitSealImage } from './documents/seals.ts';
