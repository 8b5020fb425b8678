/** The approval module's actions and objects in the audit log (`audit.action.<code>`, `audit.object.<type>`). */
import type { MessageCatalogue } from '../../../platform/i18n/index.ts';

const entries: Record<string, [string, string]> = {
  'audit.action.approval.application.submit': ['提交申请', 'Application submitted'],
  'audit.action.approval.application.addMaterials': ['补交容缺材料', 'Pending materials added'],
  'audit.action.approval.application.correct': ['补正材料', 'Materials corrected'],
  'audit.action.approval.application.withdraw': ['撤回申请', 'Application withdrawn'],
  'audit.action.approval.application.clockStop': ['暂停计时', 'Clock stopped'],
  'audit.action.approval.application.clockResume': ['恢复计时', 'Clock resumed'],
  'audit.action.approval.application.extend': ['延长办理时限', 'Time limit extended'],
  'audit.action.approval.application.fee': ['登记收费', 'Fee recorded'],
  'audit.action.approval.task.accept': ['受理', 'Accepted'],
  'audit.action.approval.task.approve': ['审批通过', 'Approved'],
  'audit.action.approval.task.reject': ['不予受理或不予许可', 'Not accepted or refused'],
  'audit.action.approval.task.request_correction': ['要求补正材料', 'Correction requested'],
  'audit.action.approval.task.return': ['退回', 'Returned'],
  'audit.action.approval.task.reassign': ['转交任务', 'Task reassigned'],
  'audit.action.approval.certificate.issue': ['签发证照', 'Certificate issued'],
  'audit.action.approval.item.create': ['新建事项', 'Item created'],
  'audit.action.approval.item.draft': ['保存事项草稿', 'Item draft saved'],
  'audit.action.approval.item.update': ['修改事项', 'Item updated'],
  'audit.action.approval.item.publish': ['发布事项', 'Item published'],
  'audit.action.approval.item.withdraw': ['停用事项', 'Item withdrawn'],
  'audit.action.approval.catalogue.import': ['导入事项目录', 'Catalogue imported'],
  'audit.object.approval_application': ['审批件', 'Application'],
  'audit.object.approval_item': ['政务服务事项', 'Service item'],
  'audit.object.approval_certificate': ['证照', 'Certificate'],
  'audit.object.approval_catalogue': ['事项目录', 'Catalogue'],
};

export const approvalAuditMessages: MessageCatalogue = {
  'zh-CN': Object.fromEntries(Object.entries(entries).map(([k, [zh]]) => [k, zh])),
  en: Object.fromEntries(Object.entries(entries).map(([k, [, en]]) => [k, en])),
};
