import type { Template } from '../../platform/notify/index.ts';

/** In-app messages of the sign-off: a step waiting for someone, a draft back with its drafter, a document signed off. */
export const documentTemplates: Record<string, Template> = {
  'exchange.signoff.newTask': {
    'zh-CN': { subject: '待签批公文：{title}', text: '公文“{title}”（{docNumber}）的“{stepName}”环节待您办理，办理期限 {dueDate}。', link: '/console/exchange/documents/{documentId}' },
    en: { subject: 'Document to sign off: {title}', text: 'Step "{stepName}" of document "{title}" ({docNumber}) is waiting for you, due {dueDate}.', link: '/console/exchange/documents/{documentId}' },
  },
  'exchange.signoff.returned': {
    'zh-CN': { subject: '公文被退回修改：{title}', text: '公文“{title}”（{docNumber}）被退回修改，意见：{opinion}', link: '/console/exchange/documents/{documentId}' },
    en: { subject: 'Document returned: {title}', text: 'Document "{title}" ({docNumber}) was returned for changes: {opinion}', link: '/console/exchange/documents/{documentId}' },
  },
  'exchange.signoff.signedOff': {
    'zh-CN': { subject: '公文已签发：{title}', text: '公文“{title}”（{docNumber}）已签发，可以分发。{opinion}', link: '/console/exchange/documents/{documentId}' },
    en: { subject: 'Document signed off: {title}', text: 'Document "{title}" ({docNumber}) is signed off and can be sent. {opinion}', link: '/console/exchange/documents/{documentId}' },
  },
};
