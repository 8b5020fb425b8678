import type { ZtModule } from '../module.ts';
import { iamMigrations } from './migrations.ts';
import { iamRoutes } from './routes.ts';
import { iamMessages, smsTemplates } from './messages.ts';
import { displayNames } from './holders.ts';

/** Accounts, sessions, tokens and the built-in roles; the three administrators hold separate powers. */
export const iamManifest: ZtModule = {
  name: 'iam',
  platform: true,
  migrations: iamMigrations,
  routes: iamRoutes,
  messages: [iamMessages],
  // People by their names; an auditor follows one to the records of what they did.
  auditObjects: {
    user: async (db, ids) => new Map([...(await displayNames(db, ids))].map(([id, name]) => [id, { name, href: `/console/audit?actor=${encodeURIComponent(id)}` }])),
  },
  errors: {
    IAM_ACCOUNT_NOT_FOUND: { status: 404, zh: '账号不存在', en: 'No such account' },
  },
  templates: smsTemplates,
  permissions: [
    { name: 'user.read', roles: ['sysadmin', 'secadmin', 'auditor', 'unit_admin'] },
    { name: 'user.write', roles: ['sysadmin', 'unit_admin'] },
    { name: 'role.assign', roles: ['secadmin'] },
    { name: 'role.read', roles: ['secadmin', 'auditor'] },
  ],
};
