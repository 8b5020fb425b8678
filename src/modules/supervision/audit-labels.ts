/** Supervision's actions and objects in the audit log (`audit.action.<code>`, `audit.object.<type>`), and its objects' pages. */
import type { AuditObjectResolver } from '../../platform/module.ts';
import type { MessageCatalogue } from '../../platform/i18n/index.ts';

const entries: Record<string, [string, string]> = {
  'audit.action.supervision.scan': ['时限巡检', 'Deadline scan'],
  'audit.action.supervision.hook': ['办件检查', 'Case check'],
  'audit.action.supervision.card.explain': ['说明监察卡', 'Card explained'],
  'audit.action.supervision.card.confirm': ['认定监察卡', 'Card confirmed'],
  'audit.action.supervision.card.revoke': ['撤销监察卡', 'Card revoked'],
  'audit.action.supervision.complaint.file': ['登记投诉', 'Complaint filed'],
  'audit.action.supervision.complaint.note': ['投诉办理记录', 'Complaint note'],
  'audit.action.supervision.complaint.reply': ['答复投诉', 'Complaint answered'],
  'audit.action.supervision.rating.create': ['评价', 'Rating'],
  'audit.action.supervision.rectification.call': ['要求整改', 'Rectification called'],
  'audit.action.supervision.rectification.complete': ['整改完成', 'Rectification done'],
  'audit.action.supervision.settings.update': ['修改监察设置', 'Settings changed'],
  'audit.action.supervision.stats.rebuild': ['重算统计', 'Statistics rebuilt'],
  'audit.object.supervision_card': ['监察卡', 'Card'],
  'audit.object.supervision_complaint': ['投诉', 'Complaint'],
  'audit.object.supervision_rectification': ['整改', 'Rectification'],
  'audit.object.supervision_settings': ['监察设置', 'Settings'],
  'audit.object.supervision_scan': ['巡检', 'Scan'],
  'audit.object.supervision_stats': ['统计', 'Statistics'],
};

export const supervisionAuditMessages: MessageCatalogue = {
  'zh-CN': Object.fromEntries(Object.entries(entries).map(([k, [zh]]) => [k, zh])),
  en: Object.fromEntries(Object.entries(entries).map(([k, [, en]]) => [k, en])),
};

/** A card is named by its type and linked to its page. */
export const supervisionAuditObjects: Record<string, AuditObjectResolver> = {
  supervision_card: async (_db, ids) => new Map(ids.map((id) => [id, { name: '', href: `/console/supervision/cards/${encodeURIComponent(id)}` }])),
};
