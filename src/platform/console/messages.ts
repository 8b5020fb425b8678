import type { MessageCatalogue } from '../i18n/index.ts';
import { ROLES } from '../iam/roles.ts';
import { consoleZh } from './messages.zh-CN.ts';
import { consoleEn } from './messages.en.ts';

const roleNames: Record<(typeof ROLES)[number], [string, string]> = {
  sysadmin: ['系统管理员', 'System administrator'],
  secadmin: ['安全管理员', 'Security administrator'],
  auditor: ['安全审计员', 'Auditor'],
  unit_admin: ['单位管理员', 'Unit administrator'],
  window_clerk: ['窗口受理人员', 'Window clerk'],
  approver: ['审批人员', 'Approver'],
  unit_leader: ['单位负责人', 'Unit leader'],
  supervisor: ['电子监察人员', 'Supervisor'],
  doc_clerk: ['公文收发人员', 'Document clerk'],
  editor: ['网站编辑', 'Editor'],
  responder: ['回复人员', 'Responder'],
  hotline_operator: ['热线话务员', 'Hotline operator'],
  village_officer: ['村级信息员', 'Village information officer'],
};

const zh: Record<string, string> = { ...consoleZh };
const en: Record<string, string> = { ...consoleEn };

for (const [role, [zhName, enName]] of Object.entries(roleNames)) {
  zh[`console.role.${role}`] = zhName;
  en[`console.role.${role}`] = enName;
}

export const consoleMessages: MessageCatalogue = { 'zh-CN': zh, en };
