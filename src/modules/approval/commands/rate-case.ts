/**
 * The applicant rates a decided case (好差评, GB/T 39734): signed in, from 我的办件, or from the
 * link of the SMS sent when the case ended. Supervision keeps the rating, one per case, and opens
 * the rectification (整改) of a bad one; here approval says whose case it is.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { rateCase } from '../../supervision/index.ts';
import { approvalCaseSubject } from '../supervised-subject.ts';
import { visibleCase, q } from '../queries/cases.ts';
import { invitationOf, markInvitationUsed } from '../rating-invitations.ts';

export interface RatingInput {
  score: number;
  comment?: string;
}

async function subjectOf(work: Work, id: string) {
  const found = (await approvalCaseSubject.summaries(work.tx, [id])).get(id);
  if (!found) throw notFound();
  return found;
}

/** The signed-in applicant rates their own case; anybody else's (the clerk who typed it in included) is 404. */
export async function rateOwnCase(work: Work, platform: Platform, principal: Principal, id: string, input: RatingInput) {
  const { app } = await visibleCase(work.tx, principal, id, { lock: work });
  if (principal.kind !== 'public' || app.applicant_user_id !== principal.userId) throw notFound();
  const rating = await rateCase(work, platform, await subjectOf(work, id), input, { channel: 'account', userId: principal.userId });
  await markInvitationUsed(work, platform, id);
  return rating;
}

/** Whoever holds the link rates the case it was sent for, once, before it expires. */
export async function rateByInvitation(work: Work, platform: Platform, token: string, input: RatingInput) {
  const invitation = await invitationOf(platform, token, work);
  const app = await q(work.tx).selectFrom('approval_applications').select(['id', 'applicant_user_id']).where('id', '=', invitation.application_id).forUpdate().executeTakeFirstOrThrow();
  const rating = await rateCase(work, platform, await subjectOf(work, app.id), input, { channel: 'public', userId: app.applicant_user_id });
  await markInvitationUsed(work, platform, app.id);
  return rating;
}
