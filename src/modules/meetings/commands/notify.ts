/** What a notice tells the invited units' clerks: in-app messages, written at commit. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { accountsCoveringUnits } from '../../../platform/iam/index.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { enqueueMessagesAtCommit, type NewMessage, type TemplateParams } from '../../../platform/notify/index.ts';
import { formatDateTime } from '../../../platform/views/forms.ts';
import type { MeetingRow } from '../model.ts';

export const CLERK_ROLE = 'doc_clerk';

/** The notice's words for a message: its title, time and place in the recipient's language. */
export function meetingParams(meeting: MeetingRow, extra: TemplateParams = {}): TemplateParams {
  return { title: meeting.title, startsAt: formatDateTime(meeting.starts_at, 'zh-CN'), place: meeting.place, deadline: formatDateTime(meeting.registration_deadline, 'zh-CN'), meetingId: meeting.id, ...extra };
}

/** One in-app message to every clerk of the given units (each clerk once, even when covering several). */
export async function notifyUnits(work: Work, platform: Platform, meeting: MeetingRow, unitIds: string[], template: string, dedupe: string, extra: TemplateParams = {}) {
  if (!unitIds.length) return;
  const units = await getUnits(work.tx, unitIds);
  const byUnit = await accountsCoveringUnits(work.tx, CLERK_ROLE, units.map((u) => ({ id: u.id, regionCode: u.regionCode })));
  const seen = new Set<string>();
  const messages: NewMessage[] = [];
  for (const holders of byUnit.values()) {
    for (const user of holders) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      messages.push({ channel: 'inapp', to: { userId: user.id }, template, params: meetingParams(meeting, extra), lang: user.lang, dedupeKey: `meetings:${meeting.id}:${dedupe}:${user.id}` });
    }
  }
  await enqueueMessagesAtCommit(work, platform, messages);
}
