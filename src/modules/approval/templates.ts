import type { Template } from '../../platform/notify/index.ts';

// Notifications. SMS sends the text only; the subject is the e-mail subject and the in-app title.

export const approvalTemplates: Record<string, Template> = {
  'approval.case.accepted': {
    'zh-CN': { subject: '申请已受理：{receiptNo}', text: '您的“{itemName}”申请已受理，受理号 {receiptNo}，承诺办结日期 {dueDate}。' },
    en: { subject: 'Application accepted: {receiptNo}', text: 'Your application for "{itemName}" was accepted, receipt number {receiptNo}. A decision is due by {dueDate}.' },
  },
  'approval.case.correction': {
    'zh-CN': { subject: '请补正申请材料：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）需一次性补正以下材料：{missing}。补正期间暂停计时。' },
    en: { subject: 'Materials to hand in: {receiptNo}', text: 'Your application for "{itemName}" ({receiptNo}) needs these materials, all at once: {missing}. The clock stands still until then.' },
  },
  'approval.case.approved': {
    'zh-CN': { subject: '申请已办结：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）已获批准，{resultName}编号 {certificateNo}。' },
    en: { subject: 'Application granted: {receiptNo}', text: 'Your application for "{itemName}" ({receiptNo}) was granted: {resultName} number {certificateNo}.' },
  },
  'approval.case.rejected': {
    'zh-CN': { subject: '申请未获批准：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）未获批准，理由：{reason}' },
    en: { subject: 'Application not granted: {receiptNo}', text: 'Your application for "{itemName}" ({receiptNo}) was not granted. Reason: {reason}' },
  },
  'approval.case.notAccepted': {
    'zh-CN': { subject: '申请不予受理：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）不予受理，理由：{reason}' },
    en: { subject: 'Application not accepted: {receiptNo}', text: 'Your application for "{itemName}" ({receiptNo}) was not accepted. Reason: {reason}' },
  },
  'approval.case.extended': {
    'zh-CN': { subject: '办理期限延长：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）办理期限延长 {days} 个工作日，新的办结日期 {dueDate}。理由：{reason}' },
    en: { subject: 'Time limit extended: {receiptNo}', text: 'The time limit of your application for "{itemName}" ({receiptNo}) is extended by {days} working days, to {dueDate}. Reason: {reason}' },
  },
  'approval.case.newTask': {
    'zh-CN': { subject: '新的待办：{itemName}', text: '受理号 {receiptNo} 的“{stepName}”环节待您办理，办理期限 {dueDate}。', link: '/console/approval/cases/{caseId}' },
    en: { subject: 'New task: {itemName}', text: 'Step "{stepName}" of case {receiptNo} is waiting for you, due {dueDate}.', link: '/console/approval/cases/{caseId}' },
  },
  'approval.case.corrected': {
    'zh-CN': { subject: '申请人已补正材料：{receiptNo}', text: '受理号 {receiptNo}（{itemName}）的申请人已提交补正材料，办理时限恢复计算。', link: '/console/approval/cases/{caseId}' },
    en: { subject: 'Materials handed in: {receiptNo}', text: 'The applicant of case {receiptNo} ({itemName}) handed in the requested materials; the clock runs again.', link: '/console/approval/cases/{caseId}' },
  },
  'approval.case.rate': {
    'zh-CN': { subject: '请评价办事服务：{receiptNo}', text: '您的“{itemName}”申请（受理号 {receiptNo}）已办结，欢迎评价本次服务：{url}（{days} 天内有效，限评价一次）' },
    en: { subject: 'Rate our service: {receiptNo}', text: 'Your application for "{itemName}" ({receiptNo}) is finished. Please rate our service: {url} (valid for {days} days, once)' },
  },
};
