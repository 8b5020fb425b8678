/**
 * The signed-in applicant complains about how one of their cases is handled (效能投诉): supervision
 * files it, routes it to the supervision office and answers; here approval says whose case it is.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { fileComplaint } from '../../supervision/index.ts';
import { approvalCaseSubject } from '../supervised-subject.ts';
import { visibleCase } from '../queries/cases.ts';

export async function complainAboutOwnCase(work: Work, platform: Platform, principal: Principal, input: { caseId: string; content: string }) {
  if (!input.caseId) throw invalid([fieldError('caseId', 'page.approval.complaints.caseRequired')]);
  const { app } = await visibleCase(work.tx, principal, input.caseId);
  if (principal.kind !== 'public' || app.applicant_user_id !== principal.userId) throw notFound();
  const found = (await approvalCaseSubject.summaries(work.tx, [app.id])).get(app.id);
  if (!found) throw notFound();
  return fileComplaint(work, platform, found, { channel: 'online', complainantName: principal.displayName, complainantPhone: null, complainantUserId: principal.userId, content: input.content });
}
