/**
 * The organiser's exports: the attendee list as an Excel workbook (exceljs, as the catalogue's
 * export) and the sign-in sheet (签到表) as PDF through the official-document renderer.
 */
import type { Platform } from '../../platform/module.ts';
import { loadExcel } from '../../platform/lazy.ts';
import { formatDateTime } from '../../platform/views/forms.ts';
import { getUnit } from '../../platform/org/service.ts';
import { translate } from '../../platform/i18n/index.ts';
import { chineseDate, renderOfficialDocument } from '../approval/index.ts';
import type { MeetingRow } from './model.ts';
import { registrationsOf } from './queries/meetings.ts';

const zh = (key: string, params?: Record<string, unknown>) => translate('zh-CN', key, params);
const STATE_KEYS = { registered: 'meetings.state.registered', declined: 'meetings.state.declined', pending: 'meetings.state.pending' } as const;

/** The attendee list: one sheet of attendees by unit, one of every invited unit's answer. */
export async function attendeeWorkbook(platform: Platform, meeting: MeetingRow): Promise<Buffer> {
  const { items } = await registrationsOf(platform, meeting);
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Zhengtong';
  const people = workbook.addWorksheet(zh('meetings.export.attendees'), { views: [{ state: 'frozen', ySplit: 1 }] });
  people.columns = [
    { header: zh('meetings.export.no'), key: 'no', width: 6 },
    { header: zh('meetings.export.unit'), key: 'unit', width: 30 },
    { header: zh('meetings.export.name'), key: 'name', width: 12 },
    { header: zh('meetings.export.position'), key: 'position', width: 18 },
    { header: zh('meetings.export.phone'), key: 'phone', width: 16, style: { numFmt: '@' } },
    { header: zh('meetings.export.code'), key: 'code', width: 10, style: { numFmt: '@' } },
    { header: zh('meetings.export.arrived'), key: 'arrived', width: 18 },
  ];
  people.getRow(1).font = { bold: true };
  let no = 0;
  for (const unit of items) {
    for (const a of unit.attendees) {
      no += 1;
      people.addRow({ no, unit: unit.unitName, name: a.name, position: a.position, phone: a.phone, code: a.checkInCode, arrived: a.checkedInAt ? formatDateTime(a.checkedInAt, 'zh-CN') : '' });
    }
  }
  const answers = workbook.addWorksheet(zh('meetings.export.answers'), { views: [{ state: 'frozen', ySplit: 1 }] });
  answers.columns = [
    { header: zh('meetings.export.unit'), key: 'unit', width: 30 },
    { header: zh('meetings.export.state'), key: 'state', width: 10 },
    { header: zh('meetings.export.count'), key: 'count', width: 10 },
    { header: zh('meetings.export.reason'), key: 'reason', width: 40 },
  ];
  answers.getRow(1).font = { bold: true };
  for (const unit of items) answers.addRow({ unit: unit.unitName, state: zh(STATE_KEYS[unit.state]), count: unit.attendees.length, reason: unit.reason ?? '' });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The sign-in sheet: the notice's time and place, then every attendee with their code and room to sign. */
export async function signInSheet(platform: Platform, meeting: MeetingRow): Promise<Buffer> {
  const { items } = await registrationsOf(platform, meeting);
  const organiser = await getUnit(platform.db, meeting.organiser_unit_id);
  const rows: string[][] = [];
  for (const unit of items) for (const a of unit.attendees) rows.push([String(rows.length + 1), `${unit.unitName}\n${a.name}（${a.position}）`, `${zh('meetings.sheet.code', { code: a.checkInCode })}\n${zh('meetings.sheet.sign')}`]);
  const today = formatDateTime(meeting.starts_at, 'zh-CN').slice(0, 10).replace(/\//g, '-');
  return renderOfficialDocument({
    issuer: organiser?.name ?? '',
    documentNo: zh('meetings.sheet.kind'),
    title: meeting.title,
    paragraphs: [zh('meetings.sheet.when', { time: formatDateTime(meeting.starts_at, 'zh-CN') }), zh('meetings.sheet.where', { place: meeting.place }), zh('meetings.sheet.count', { count: rows.length })],
    table: { caption: zh('meetings.sheet.caption'), headers: [zh('meetings.export.no'), zh('meetings.sheet.person'), zh('meetings.sheet.signature')], rows },
    date: chineseDate(today),
    seal: null,
    qr: { url: `${platform.config.publicUrl}/console/meetings/${meeting.id}/check-in`, caption: zh('meetings.sheet.qr') },
    meta: { subject: zh('meetings.sheet.kind'), createdAt: platform.clock.now() },
  });
}
