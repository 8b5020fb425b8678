/** What a case tells its applicant (SMS, e-mail) and its handlers (in-app), written to the outbox at commit. */
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import { accountsHoldingRole, contactOf } from '../../platform/iam/service.ts';
import type { Role } from '../../platform/iam/roles.ts';
import type { TaskRow } from '../../platform/flow/service.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { enqueueMessagesAtCommit, type NewMessage, type TemplateParams } from '../../platform/notify/index.ts';
import { openField } from '../../platform/crypto/fields.ts';
import type { Item } from './catalogue.ts';
import type { CaseRow } from './queries/cases.ts';

const MAX_TASK_RECIPIENTS = 50;

export const clip = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** SMS to the applicant's phone, and e-mail when the applicant's account has an address. */
export async function notifyApplicant(work: Work, platform: Platform, app: CaseRow, template: string, params: TemplateParams, dedupe: string) {
  const account = app.applicant_user_id ? await contactOf(work.tx, app.applicant_user_id) : undefined;
  const lang: Lang = account?.lang ?? 'zh-CN';
  const phone = openField(platform, app.applicant_phone_sealed);
  const messages: NewMessage[] = [{ channel: 'sms', to: { address: phone }, template, params, lang, dedupeKey: `approval:${app.id}:${dedupe}:sms` }];
  if (account?.email) messages.push({ channel: 'email', to: { userId: account.id, address: account.email }, template, params, lang, dedupeKey: `approval:${app.id}:${dedupe}:email` });
  await enqueueMessagesAtCommit(work, platform, messages);
}

/** An in-app message to everyone who may handle each newly opened task (or to its assignee), written at commit. */
export async function notifyNewTasks(work: Work, platform: Platform, app: CaseRow, item: Pick<Item, 'name' | 'process'>, tasks: TaskRow[]) {
  const names = new Map(allSteps(item.process).map((s) => [s.key, s.name]));
  const messages: NewMessage[] = [];
  for (const task of tasks) {
    const recipients = task.assignee ? [{ id: task.assignee, lang: 'zh-CN' as Lang }] : await accountsHoldingRole(work.tx, task.role as Role, { id: task.unit_id, regionCode: task.unit_region }, MAX_TASK_RECIPIENTS);
    for (const user of recipients) {
      if (user.id === app.applicant_user_id) continue;
      messages.push({
        channel: 'inapp',
        to: { userId: user.id },
        template: 'approval.case.newTask',
        params: { receiptNo: app.receipt_no, itemName: item.name, stepName: names.get(task.step_key) ?? task.step_key, dueDate: task.due_date, caseId: app.id },
        lang: task.assignee ? undefined : user.lang,
        dedupeKey: `approval:task:${task.id}:${user.id}`,
      });
    }
  }
  await enqueueMessagesAtCommit(work, platform, messages);
}
