import { notFound } from '../http/errors.ts';
import { openField } from '../crypto/fields.ts';
import { maskIdNumber, maskPhone } from '../org/codes.ts';
import type { Platform } from '../module.ts';
import type { Principal } from './principal.ts';
import { findUserById } from './queries.ts';

/** What a public account holder sees of their own real-name data: numbers masked. */
export interface PublicProfile {
  id: string;
  username: string;
  displayName: string;
  applicantKind: 'person' | 'enterprise' | null;
  name: string | null;
  idNumber: string | null;
  phone: string | null;
  creditCode: string | null;
  companyName: string | null;
  companyUserId: string | null;
  createdAt: string;
}

export async function publicProfile(platform: Platform, principal: Principal): Promise<PublicProfile> {
  const user = await findUserById(platform.db, principal.userId);
  if (!user) throw notFound();
  return {
    id: user.id,
    username: user.kind === 'public' ? maskPhone(user.username) : user.username,
    displayName: user.display_name,
    applicantKind: user.applicant_kind,
    name: user.real_name,
    idNumber: user.id_number_sealed ? maskIdNumber(openField(platform, user.id_number_sealed)) : null,
    phone: user.phone_sealed ? maskPhone(openField(platform, user.phone_sealed)) : null,
    creditCode: user.credit_code,
    companyName: user.company_name,
    companyUserId: user.company_user_id,
    createdAt: new Date(user.created_at).toISOString(),
  };
}
