/**
 * The demo city's meetings: a work meeting the city government office (市政府办公室) has sent to
 * several departments, some of which have registered or declined, and a training the city's
 * approval service bureau has sent to the office, for the office's clerk (郑丽娟) to answer.
 * Loaded on every demo load: a notice already there is left as it is.
 */
import crypto from 'node:crypto';
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import { sealField } from '../../platform/crypto/fields.ts';
import { meetingsDb } from './model.ts';

const DAY = 24 * 3600_000;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const code = () => Array.from(crypto.randomBytes(6), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');

/** 09:00 in Shanghai, `days` from now. */
function morning(now: Date, days: number): Date {
  const day = new Date(now.getTime() + days * DAY + 8 * 3600_000).toISOString().slice(0, 10);
  return new Date(`${day}T09:00:00+08:00`);
}

interface DemoMeeting {
  organiser: string;
  title: string;
  place: string;
  agenda: string;
  inDays: number;
  max: number;
  invited: string[];
  answers: Record<string, Array<[name: string, position: string, phone: string]> | string>;
}

const MEETINGS: DemoMeeting[] = [
  {
    organiser: 'city.office',
    title: '全市政务服务工作推进会',
    place: '市行政中心三楼第一会议室',
    agenda: '一、通报上半年政务服务工作情况；\n二、部署“一网通办”下一步工作；\n三、市政府领导讲话。',
    inDays: 10,
    max: 2,
    invited: ['city.ndrc', 'city.education', 'city.civil', 'city.finance', 'city.hrss', 'city.market', 'city.approval', 'city.data'],
    answers: {
      'city.ndrc': [['张明', '副主任', '13957110001'], ['李红', '科长', '13957110002']],
      'city.education': [['王建华', '副局长', '13957110003']],
      'city.finance': '与全省财政工作会议时间冲突',
      'city.approval': [['周文华', '局长', '13957110004'], ['赵敏', '窗口负责人', '13957110005']],
    },
  },
  {
    organiser: 'city.approval',
    title: '全市“一网通办”业务培训会',
    place: '市政务服务中心二楼培训室',
    agenda: '一、网上审批系统操作培训；\n二、电子证照和好差评工作要求。',
    inDays: 14,
    max: 3,
    invited: ['city.office', 'city.market', 'city.civil'],
    answers: { 'city.market': [['陈立', '审批科科长', '13957110006']] },
  },
];

export async function loadMeetingsDemo(work: Work, platform: Platform, city: DemoCity) {
  const db = meetingsDb(work.tx);
  const now = platform.clock.now();
  for (const m of MEETINGS) {
    const organiser = city.unit(m.organiser);
    const existing = await db.selectFrom('meetings_meetings').select('id').where('organiser_unit_id', '=', organiser.id).where('title', '=', m.title).executeTakeFirst();
    if (existing) continue;
    const id = crypto.randomUUID();
    const startsAt = morning(now, m.inDays);
    const invited = m.invited.map((key) => city.unit(key).id);
    await db
      .insertInto('meetings_meetings')
      .values({
        id,
        organiser_unit_id: organiser.id,
        created_by: 'system:demo',
        state: 'sent',
        title: m.title,
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 3 * 3600_000),
        place: m.place,
        agenda: m.agenda,
        contact: '郑丽娟',
        contact_phone: '0571-87000000',
        registration_deadline: new Date(startsAt.getTime() - 3 * DAY),
        max_attendees_per_unit: m.max,
        invited_unit_ids: JSON.stringify(invited) as never,
        sent_at: now,
        sent_by: 'system:demo',
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const key of m.invited) {
      const unitId = city.unit(key).id;
      const answer = m.answers[key];
      const registrationId = crypto.randomUUID();
      await db
        .insertInto('meetings_registrations')
        .values({
          id: registrationId,
          meeting_id: id,
          unit_id: unitId,
          state: answer === undefined ? 'pending' : typeof answer === 'string' ? 'declined' : 'registered',
          reason: typeof answer === 'string' ? answer : null,
          answered_at: answer === undefined ? null : now,
          answered_by: answer === undefined ? null : 'system:demo',
        })
        .execute();
      if (Array.isArray(answer)) {
        await db
          .insertInto('meetings_attendees')
          .values(answer.map(([name, position, phone], i) => ({ id: crypto.randomUUID(), registration_id: registrationId, meeting_id: id, unit_id: unitId, seq: i + 1, name, position, phone_sealed: sealField(platform, phone), check_in_code: code() })))
          .execute();
      }
    }
  }
}
