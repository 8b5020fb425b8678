/** The notifications of distribution and receipt, and whom they go to (the units' document clerks). */
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { Template, TemplateParams } from '../../platform/notify/templates.ts';
import { enqueueMessagesAtCommit, type NewMessage } from '../../platform/notify/service.ts';
import { accountsCoveringUnits } from '../../platform/iam/holders.ts';
import { orgDb } from './groups.ts';

export const distributionTemplates: Record<string, Template> = {
  'exchange.received': {
    'zh-CN': { subject: '收到公文：{title}', text: '{fromUnit}发来公文《{title}》（{docNumber}），请及时签收。', link: '/console/exchange/inbox' },
    en: { subject: 'Document received: {title}', text: '{fromUnit} sent the document "{title}" ({docNumber}); please sign for it.', link: '/console/exchange/inbox' },
  },
  'exchange.chased': {
    'zh-CN': { subject: '催办：公文《{title}》尚未签收', text: '{fromUnit}发来的公文《{title}》（{docNumber}）尚未签收，请尽快签收或退回。', link: '/console/exchange/inbox' },
    en: { subject: 'Reminder: "{title}" is not signed for', text: 'The document "{title}" ({docNumber}) from {fromUnit} is not signed for yet; please sign for it or return it.', link: '/console/exchange/inbox' },
  },
  'exchange.recalled': {
    'zh-CN': { subject: '公文已撤回：{title}', text: '{fromUnit}撤回了公文《{title}》（{docNumber}），原因：{reason}', link: '/console/exchange/inbox' },
    en: { subject: 'Document recalled: {title}', text: '{fromUnit} recalled the document "{title}" ({docNumber}). Reason: {reason}', link: '/console/exchange/inbox' },
  },
  'exchange.signed': {
    'zh-CN': { subject: '{unit}已签收《{title}》', text: '{unit}已签收公文《{title}》（{docNumber}）。', link: '/console/exchange/documents/{documentId}' },
    en: { subject: '{unit} signed for "{title}"', text: '{unit} signed for the document "{title}" ({docNumber}).', link: '/console/exchange/documents/{documentId}' },
  },
  'exchange.returned': {
    'zh-CN': { subject: '{unit}退回了《{title}》', text: '{unit}退回了公文《{title}》（{docNumber}），原因：{reason}', link: '/console/exchange/documents/{documentId}' },
    en: { subject: '{unit} returned "{title}"', text: '{unit} returned the document "{title}" ({docNumber}). Reason: {reason}', link: '/console/exchange/documents/{documentId}' },
  },
};

/** One in-app message to every document clerk of each unit, all written by one statement at commit. */
export async function notifyUnitClerks(work: Work, platform: Platform, unitIds: string[], template: string, params: TemplateParams): Promise<void> {
  if (!unitIds.length) return;
  const units = await orgDb(work.tx).selectFrom('units').select(['id', 'region_code']).where('id', 'in', unitIds).execute();
  const holders = await accountsCoveringUnits(work.tx, 'doc_clerk', units.map((u) => ({ id: u.id, regionCode: u.region_code })));
  const seen = new Set<string>();
  const messages: NewMessage[] = [];
  for (const accounts of holders.values()) {
    for (const account of accounts) {
      if (seen.has(account.id)) continue;
      seen.add(account.id);
      messages.push({ channel: 'inapp', to: { userId: account.id }, lang: account.lang, template, params });
    }
  }
  await enqueueMessagesAtCommit(work, platform, messages);
}

/** One in-app message to one account (the clerk who sent a document). */
export async function notifyAccount(work: Work, platform: Platform, userId: string | null, template: string, params: TemplateParams): Promise<void> {
  if (userId) await enqueueMessagesAtCommit(work, platform, [{ channel: 'inapp', to: { userId }, template, params }]);
}

export async function unitName(work: Work, unitId: string): Promise<string> {
  return (await orgDb(work.tx).selectFrom('units').select('name').where('id', '=', unitId).executeTakeFirst())?.name ?? unitId;
}
