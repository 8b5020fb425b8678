/**
 * Receives a case from any channel: a citizen's letter, message or disclosure request (the public
 * routes) or a hotline ticket (the operator). The writer's personal data is sealed, the case gets
 * its tracking number, query code and deadline, and its first round starts: at the dispatching
 * office (mayor's mailbox, hotline, a message to no unit) or at the unit written to. The same
 * letter posted twice within minutes is one case: the second post gets the first one's answer.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { addWorkingDays, shanghaiDate } from '../../../platform/calendar/index.ts';
import { blindIndex, openField, sealField } from '../../../platform/crypto/fields.ts';
import { sm3 } from '../../../platform/crypto/index.ts';
import { getUnit, type Unit } from '../../../platform/org/service.ts';
import { isValidIdNumber } from '../../../platform/org/codes.ts';
import { interactionDb, TRACKING_PREFIX, type CaseRow, type Channel, type Urgency } from '../model.ts';
import { startRound } from '../process.ts';
import { notifyUnitRole, notifyWriter } from '../notify.ts';
import { matchWords } from '../queries/moderation.ts';
import { deadlineDays, dispatcherOffice, sensitiveWordList } from '../queries/settings.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { publishCaseChanged } from '../events.ts';

export interface CaseInput {
  channel: Channel;
  targetUnitId?: string | null;
  title: string;
  body: string;
  name: string;
  phone: string;
  email?: string | null;
  idNumber?: string | null;
  isPublic: boolean;
  category?: string | null;
  /** Hotline: the caller's location. */
  regionCode?: string | null;
  urgency?: Urgency | null;
  /** The signed-in citizen, when there is one. */
  writerUserId?: string | null;
  /** Hotline: the operator's unit, which dispatches the ticket. */
  dispatcherUnitId?: string | null;
}

export interface ReceivedCase {
  id: string;
  trackingNo: string;
  queryCode: string;
  /** The same letter had been posted a moment before: this is that case. */
  duplicate: boolean;
  row: CaseRow;
}

/** Minutes within which the same letter from the same phone is taken as posted twice. */
const DUPLICATE_WINDOW_MINUTES = 10;
const QUERY_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 张** for 张三丰: the family name and a star per other character. */
export const maskName = (name: string) => {
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(Math.min(chars.length - 1, 3));
};

const newQueryCode = () => Array.from(crypto.randomBytes(8), (b) => QUERY_CODE_ALPHABET[b % QUERY_CODE_ALPHABET.length]).join('');

/** The unit the case goes to first, and whether it is dispatched from there or handled there. */
async function firstStop(work: Work, platform: Platform, input: CaseInput): Promise<{ unit: Unit; dispatch: boolean }> {
  const errors: FieldError[] = [];
  const target = input.targetUnitId ? await getUnit(work.tx, input.targetUnitId) : null;
  if (input.targetUnitId && (!target || target.disabledAt)) errors.push(fieldError('targetUnitId', 'interaction.case.unitUnknown'));
  const straight = input.channel === 'unit_mailbox' || input.channel === 'disclosure_request';
  if (straight && !input.targetUnitId) errors.push(fieldError('targetUnitId', 'interaction.case.unitRequired'));
  if (errors.length) throw invalid(errors);
  if (input.channel === 'hotline') {
    const unit = input.dispatcherUnitId ? await getUnit(work.tx, input.dispatcherUnitId) : null;
    if (!unit) throw new AppError('FORBIDDEN');
    return { unit, dispatch: true };
  }
  if (straight || (input.channel === 'message_board' && target)) return { unit: target!, dispatch: false };
  // The mayor's mailbox (and a message to no unit in particular): the dispatching office.
  if (target) return { unit: target, dispatch: true };
  const office = await dispatcherOffice(platform, work.tx);
  if (!office) throw new AppError('INTERACTION_NO_DISPATCHER');
  return { unit: office, dispatch: true };
}

export async function receiveCase(work: Work, platform: Platform, input: CaseInput): Promise<ReceivedCase> {
  if (input.channel === 'disclosure_request' && (!input.idNumber || !isValidIdNumber(input.idNumber.toUpperCase()))) {
    throw invalid([fieldError('idNumber', input.idNumber ? 'interaction.case.idNumberInvalid' : 'interaction.case.idNumberRequired')]);
  }
  const now = platform.clock.now();
  const db = interactionDb(work.tx);
  const phoneHash = blindIndex(platform, input.phone.trim());
  const content = sm3(JSON.stringify([input.channel, phoneHash, input.title, input.body, input.targetUnitId ?? '']));
  const bucket = Math.floor(now.getTime() / (DUPLICATE_WINDOW_MINUTES * 60_000));
  const keys = [`${content}:${bucket}`, `${content}:${bucket - 1}`];
  const earlier = await db.selectFrom('interaction_cases').selectAll().where('dedupe_key', 'in', keys).executeTakeFirst();
  if (earlier) return duplicateOf(platform, earlier);

  const { unit, dispatch } = await firstStop(work, platform, input);
  const days = await deadlineDays(platform, work.tx, input.channel, input.urgency);
  const today = shanghaiDate(now);
  const dueDate = (await addWorkingDays(work.tx, today, days)).date;
  const id = crypto.randomUUID();
  const queryCode = newQueryCode();
  const trackingNo = `${TRACKING_PREFIX[input.channel]}${today.replaceAll('-', '')}${crypto.randomInt(0, 100_000_000).toString().padStart(8, '0')}`;
  const inserted = await db
    .insertInto('interaction_cases')
    .values({
      id,
      tracking_no: trackingNo,
      channel: input.channel,
      state: dispatch ? 'received' : 'assigned',
      title: input.title,
      body: input.body,
      is_public: input.isPublic,
      category: input.category ?? null,
      target_unit_id: input.targetUnitId ?? null,
      dispatcher_unit_id: dispatch ? unit.id : null,
      handling_unit_id: unit.id,
      region_code: input.regionCode ?? null,
      urgency: input.urgency ?? null,
      writer_user_id: input.writerUserId ?? null,
      writer_name_sealed: sealField(platform, input.name.trim()),
      writer_phone_sealed: sealField(platform, input.phone.trim()),
      writer_email_sealed: input.email ? sealField(platform, input.email.trim()) : null,
      writer_id_no_sealed: input.idNumber ? sealField(platform, input.idNumber.trim().toUpperCase()) : null,
      writer_name_masked: maskName(input.name),
      writer_phone_hash: phoneHash,
      query_code_sealed: sealField(platform, queryCode),
      dedupe_key: keys[0],
      deadline_days: days,
      received_at: now,
      due_date: dueDate,
      flagged_words: JSON.stringify(matchWords(`${input.title}\n${input.body}`, await sensitiveWordList(platform, work.tx))) as never,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  // The same letter posted at the same moment: the other post's transaction wrote it first.
  if (!inserted) return duplicateOf(platform, await db.selectFrom('interaction_cases').selectAll().where('dedupe_key', '=', keys[0]).executeTakeFirstOrThrow());

  await recordCaseEvent(work, inserted, 'received', { unitId: unit.id, details: { dispatch }, at: now });
  await startRound(work, platform, inserted, { kind: dispatch ? 'dispatch' : 'handle', unitId: unit.id }, { first: true });
  await publishCaseChanged(work, platform, inserted, { action: 'receive', stepKey: dispatch ? 'dispatch' : 'handle' });
  recordAudit(work, { action: 'interaction.case.receive', objectType: 'interaction_case', objectId: id, details: { channel: input.channel, trackingNo, unitId: unit.id } }, now);
  const params = { title: input.title, trackingNo, dueDate, caseId: id, channel: input.channel };
  await notifyUnitRole(work, platform, unit.id, input.channel === 'hotline' ? 'hotline_operator' : 'responder', 'interaction.case.arrived', params);
  if (input.channel !== 'hotline') await notifyWriter(work, platform, input.phone.trim(), 'interaction.case.received', params, `interaction:${id}:received`);
  return { id, trackingNo, queryCode, duplicate: false, row: inserted };
}

function duplicateOf(platform: Platform, row: CaseRow): ReceivedCase {
  return { id: row.id, trackingNo: row.tracking_no, queryCode: openField(platform, row.query_code_sealed), duplicate: true, row };
}
