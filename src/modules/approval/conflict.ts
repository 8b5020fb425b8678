/**
 * 回避: a member of staff never accepts or decides an application in which they are the applicant
 * or the applicant's agent. The rule looks at who the applicant is, not at who typed the
 * application in: a window clerk who registers a citizen's papers at the window may accept them on
 * the spot (当场受理). A party is the applicant's own account, the account that submitted the
 * application online (the applicant or an agent), or a person whose mobile number is the
 * applicant's or that submitting account's.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { openField } from '../../platform/crypto/fields.ts';
import { sealedPhones } from '../../platform/iam/index.ts';
import { applicantPhoneIndex, normalizePhone } from './applicant.ts';
import type { CaseRow } from './queries/cases.ts';

type Parties = Pick<CaseRow, 'applicant_user_id' | 'submitted_by' | 'channel' | 'applicant_phone_index'>;

/** The public accounts acting for the applicant: the applicant's own and, online, the submitting one. */
const actingAccounts = (app: Parties) => [app.applicant_user_id, app.channel === 'online' ? app.submitted_by : null].filter((id): id is string => Boolean(id));

export async function isApplicantOrAgent(platform: Platform, db: Db, principal: Principal, app: Parties): Promise<boolean> {
  const accounts = actingAccounts(app);
  if (accounts.includes(principal.userId)) return true;
  const phones = await sealedPhones(db, [principal.userId, ...accounts]);
  const sealed = phones.get(principal.userId);
  if (!sealed) return false;
  const mine = normalizePhone(openField(platform, sealed));
  if (applicantPhoneIndex(platform, mine) === app.applicant_phone_index) return true;
  return accounts.some((id) => {
    const other = phones.get(id);
    return other !== undefined && normalizePhone(openField(platform, other)) === mine;
  });
}
