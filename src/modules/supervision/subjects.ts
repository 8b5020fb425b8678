/**
 * The supervised subjects of the installed modules (src/platform/supervision.ts), read from the
 * registry: supervision names no module. A card, complaint or rating stores its subject's type and
 * id; these helpers find the subject again.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import type { SubjectSummary, SupervisedSubject } from '../../platform/supervision.ts';

export type SubjectRef = { subject_type: string; case_id: string };

export const subjectsOf = (platform: Pick<Platform, 'modules'>): readonly SupervisedSubject[] => platform.modules.subjects;

/** The summaries of the subjects the rows name, by type and id; subjects of a module switched off are left out. */
export async function summariesOf(platform: Pick<Platform, 'modules'>, db: Db, refs: readonly SubjectRef[]): Promise<(ref: SubjectRef) => SubjectSummary | undefined> {
  const byType = new Map<string, string[]>();
  for (const r of refs) byType.set(r.subject_type, [...(byType.get(r.subject_type) ?? []), r.case_id]);
  const found = new Map<string, Map<string, SubjectSummary>>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      const subject = platform.modules.subject(type);
      if (subject) found.set(type, await subject.summaries(db, ids));
    }),
  );
  return (ref) => found.get(ref.subject_type)?.get(ref.case_id);
}

export async function summaryOf(platform: Pick<Platform, 'modules'>, db: Db, type: string, id: string): Promise<SubjectSummary | null> {
  const subject = platform.modules.subject(type);
  return (subject && (await subject.summaries(db, [id])).get(id)) ?? null;
}

/** The subject with this tracking number whose applicant has this phone, asking each installed subject in turn. */
export async function subjectByTrackingNoAndPhone(platform: Platform, db: Db, trackingNo: string, phone: string): Promise<SubjectSummary | null> {
  for (const subject of subjectsOf(platform)) {
    const found = await subject.byTrackingNoAndPhone(db, platform, trackingNo, phone);
    if (found) return found;
  }
  return null;
}

export async function subjectByTrackingNo(platform: Platform, db: Db, trackingNo: string): Promise<SubjectSummary | null> {
  for (const subject of subjectsOf(platform)) {
    const found = await subject.byTrackingNo(db, trackingNo);
    if (found) return found;
  }
  return null;
}

/** The subject with this id: of the type given, or of whichever installed subject type knows it (ids are UUIDs). */
export async function subjectById(platform: Pick<Platform, 'modules'>, db: Db, id: string, type?: string): Promise<SubjectSummary | null> {
  if (type) return summaryOf(platform, db, type, id);
  for (const subject of subjectsOf(platform)) {
    const found = (await subject.summaries(db, [id])).get(id);
    if (found) return found;
  }
  return null;
}
