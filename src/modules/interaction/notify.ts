/** The case's notifications: to the staff of the unit that has it (in-app), and to the writer (SMS). */
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { Role } from '../../platform/iam/roles.ts';
import type { Template, TemplateParams } from '../../platform/notify/templates.ts';
import { enqueueMessagesAtCommit, type NewMessage } from '../../platform/notify/service.ts';
import { accountsHoldingRole } from '../../platform/iam/holders.ts';
import { getUnit } from '../../platform/org/service.ts';

export const caseTemplates: Record<string, Template> = {
  'interaction.case.arrived': {
    'zh-CN': { subject: '新的{channelName}：{title}', text: '收到{channelName}《{title}》（{trackingNo}），请在{dueDate}前办理。', link: '/console/interaction/cases/{caseId}' },
    en: { subject: 'New {channelName}: {title}', text: 'The {channelName} "{title}" ({trackingNo}) arrived; please handle it by {dueDate}.', link: '/console/interaction/cases/{caseId}' },
  },
  'interaction.case.received': {
    'zh-CN': { subject: '您的来信已收到', text: '您的来信《{title}》已收到，编号{trackingNo}，请凭编号和查询码查看办理情况。', link: '/interaction/letters/{trackingNo}' },
    en: { subject: 'Your letter was received', text: 'Your letter "{title}" was received as {trackingNo}; use the number and your query code to follow it.', link: '/interaction/letters/{trackingNo}' },
  },
};

/** The channel's name in the message's language, for the templates' {channelName}. */
export const CHANNEL_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  mayor_mailbox: { 'zh-CN': '市长信箱来信', en: "letter to the mayor" },
  unit_mailbox: { 'zh-CN': '部门信箱来信', en: 'letter to the unit' },
  message_board: { 'zh-CN': '网上留言', en: 'message' },
  disclosure_request: { 'zh-CN': '政府信息公开申请', en: 'disclosure request' },
  hotline: { 'zh-CN': '12345热线工单', en: '12345 ticket' },
};

/** An in-app message to every holder of `role` covering the unit (the responders, its leader). */
export async function notifyUnitRole(work: Work, platform: Platform, unitId: string, role: Role, template: string, params: TemplateParams & { channel?: string }) {
  const unit = await getUnit(work.tx, unitId);
  if (!unit) return;
  const holders = await accountsHoldingRole(work.tx, role, { id: unit.id, regionCode: unit.regionCode });
  const messages: NewMessage[] = holders.map((h) => ({
    channel: 'inapp',
    to: { userId: h.id },
    lang: h.lang,
    template,
    params: { ...params, channelName: params.channel ? (CHANNEL_NAMES[params.channel]?.[h.lang] ?? params.channel) : '' },
  }));
  await enqueueMessagesAtCommit(work, platform, messages);
}

/** A text message to the writer's phone (the sealed number opened by the caller). */
export async function notifyWriter(work: Work, platform: Platform, phone: string, template: string, params: TemplateParams, dedupeKey: string) {
  await enqueueMessagesAtCommit(work, platform, [{ channel: 'sms', to: { address: phone }, template, params, dedupeKey }]);
}
