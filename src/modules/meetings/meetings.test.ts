/**
 * Meeting notices and registration through HTTP: an office sends a notice to units, they register
 * or decline, the organiser reminds the silent ones, exports the list and the sign-in sheet and
 * checks attendees in at the door; every bad input is refused and writes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, loginSession, makeUnit, makeUser, problem, seedRegions, TEST_PG_URL, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { sql } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { loadMeetingsDemo } from './demo.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
const clock = new TestClock(shanghai('2026-12-07 09:00:00'));
let ctx: TestContext;
let units: { office: string; a: string; b: string; c: string; outsider: string };
let people: { organiser: TestUser; clerkA: TestUser; clerkB: TestUser; clerkC: TestUser; outsider: TestUser; supervisor: TestUser; approver: TestUser };

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(user) });
const patch = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'PATCH', url, payload: payload as object, headers: bearer(user) });

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [office, a, b, c, outsider] = await Promise.all(['市政府办公室', '发展改革委', '教育局', '财政局', '统计局'].map((name) => makeUnit(ctx.platform, `${name}${process.pid}`)));
  units = { office: office.id, a: a.id, b: b.id, c: c.id, outsider: outsider.id };
  people = {
    organiser: await makeUser(ctx.platform, office.id, ['doc_clerk']),
    clerkA: await makeUser(ctx.platform, a.id, ['doc_clerk']),
    clerkB: await makeUser(ctx.platform, b.id, ['doc_clerk']),
    clerkC: await makeUser(ctx.platform, c.id, ['doc_clerk']),
    outsider: await makeUser(ctx.platform, outsider.id, ['doc_clerk']),
    supervisor: await makeUser(ctx.platform, office.id, ['supervisor']),
    approver: await makeUser(ctx.platform, a.id, ['approver']),
  };
});
after(() => ctx?.close());

const notice = (overrides: Record<string, unknown> = {}) => ({
  title: '全市政务服务工作推进会',
  startsAt: '2026-12-20T09:00:00+08:00',
  endsAt: '2026-12-20T12:00:00+08:00',
  place: '市行政中心第一会议室',
  agenda: '一、通报情况；二、部署工作。',
  invitedUnitIds: [units.a, units.b, units.c],
  registrationDeadline: '2026-12-15T17:00:00+08:00',
  maxAttendeesPerUnit: 2,
  contact: '郑丽娟',
  contactPhone: '0571-87000000',
  ...overrides,
});

async function count(table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(ctx.platform.db);
  return Number(rows[0].n);
}
/** The templates of the messages written for an account, sorted (several share one clock time). */
async function inboxOf(user: TestUser): Promise<string[]> {
  const { rows } = await sql<{ template: string }>`select template from notify_outbox where user_id = ${user.id}`.execute(ctx.platform.db);
  return rows.map((r) => r.template).sort();
}
const countOf = async (user: TestUser, template: string) => (await inboxOf(user)).filter((t) => t === template).length;

async function sentMeeting(overrides: Record<string, unknown> = {}) {
  const created = await post(people.organiser, '/api/v1/meetings', notice(overrides));
  assert.equal(created.statusCode, 201, created.body);
  const { id } = created.json() as { id: string };
  const sent = await post(people.organiser, `/api/v1/meetings/${id}/send`, {});
  assert.equal(sent.statusCode, 200, sent.body);
  return id;
}

test('an office sends a notice; units register, decline and change their answer; the organiser sees, reminds, exports and checks in', async () => {
  clock.set(shanghai('2026-12-07 09:00:00'));
  const file = fileBody('议程.pdf', SAMPLES.pdf());
  const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...file.headers, ...bearer(people.organiser) }, payload: file.payload });
  assert.equal(upload.statusCode, 201, upload.body);
  const fileId = upload.json().id as string;

  const created = await post(people.organiser, '/api/v1/meetings', notice({ attachments: [fileId] }));
  assert.equal(created.statusCode, 201, created.body);
  const { id } = created.json() as { id: string };
  // A draft is the organiser's alone.
  assert.equal((await get(people.clerkA, `/api/v1/meetings/${id}`)).statusCode, 404);
  assert.equal((await post(people.clerkA, `/api/v1/meetings/${id}/registrations`, { decline: true, reason: '未收到' })).statusCode, 404);

  const sent = await post(people.organiser, `/api/v1/meetings/${id}/send`, {});
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal(sent.json().invitedUnits, 3);
  assert.equal((await post(people.organiser, `/api/v1/meetings/${id}/send`, {})).statusCode, 409, 'sent once');
  assert.deepEqual(await inboxOf(people.clerkA), ['meetings.notice']);

  // The invited unit reads the notice and its attachment; another unit does not.
  const seen = await get(people.clerkA, `/api/v1/meetings/${id}`);
  assert.equal(seen.statusCode, 200, seen.body);
  assert.equal(seen.json().myRegistration.state, 'pending');
  assert.equal(seen.json().attachments[0].id, fileId);
  assert.equal((await get(people.clerkA, `/api/v1/files/${fileId}`)).statusCode, 200);
  assert.equal((await get(people.outsider, `/api/v1/files/${fileId}`)).statusCode, 404);
  assert.equal((await get(people.outsider, `/api/v1/meetings/${id}`)).statusCode, 404);
  assert.equal((await get(people.supervisor, `/api/v1/meetings/${id}`)).statusCode, 200, 'the supervision office reads every notice');

  const list = await get(people.clerkA, '/api/v1/meetings');
  assert.deepEqual(list.json().items.map((m: { id: string; registrationState: string; organised: boolean }) => [m.id, m.registrationState, m.organised]), [[id, 'pending', false]]);
  assert.ok((await get(people.organiser, '/api/v1/meetings')).json().items.some((m: { id: string; organised: boolean }) => m.id === id && m.organised));

  // A registers two, B declines, C says nothing.
  const registered = await post(people.clerkA, `/api/v1/meetings/${id}/registrations`, { attendees: [{ name: '张明', position: '副主任', phone: '13957110001' }, { name: '李红', position: '科长', phone: '0571-87001234' }] });
  assert.equal(registered.statusCode, 200, registered.body);
  const codes = registered.json().attendees.map((a: { checkInCode: string }) => a.checkInCode) as string[];
  assert.equal(codes.length, 2);
  assert.ok(codes.every((c) => /^[A-Z2-9]{6}$/.test(c)), codes.join());
  assert.equal((await post(people.clerkB, `/api/v1/meetings/${id}/registrations`, { decline: true, reason: '与全省会议冲突' })).statusCode, 200);

  // Phones are sealed at rest.
  const { rows } = await sql<{ phone_sealed: string }>`select phone_sealed from meetings_attendees where meeting_id = ${id}`.execute(ctx.platform.db);
  assert.ok(rows.every((r) => !r.phone_sealed.includes('13957110001')));

  let regs = await get(people.organiser, `/api/v1/meetings/${id}/registrations`);
  assert.equal(regs.statusCode, 200, regs.body);
  type Reg = { unitId: string; unitName: string; state: string; attendees: Array<{ name: string; phone: string; checkInCode: string; checkedInAt: string | null }>; reason: string | null };
  const byUnit = () => new Map((regs.json().items as Reg[]).map((r) => [r.unitId, r]));
  assert.equal(byUnit().get(units.a)?.state, 'registered');
  assert.deepEqual(byUnit().get(units.a)?.attendees.map((a) => a.phone), ['13957110001', '0571-87001234']);
  assert.deepEqual([byUnit().get(units.b)?.state, byUnit().get(units.b)?.reason], ['declined', '与全省会议冲突']);
  assert.equal(byUnit().get(units.c)?.state, 'pending');
  assert.ok(byUnit().get(units.a)?.unitName.startsWith('发展改革委'));
  // Invited units and outsiders do not read the organiser's list.
  assert.equal((await get(people.clerkA, `/api/v1/meetings/${id}/registrations`)).statusCode, 404);
  assert.equal((await get(people.supervisor, `/api/v1/meetings/${id}/registrations`)).statusCode, 200);

  // B changes its mind before the deadline: the answer is replaced.
  const changed = await post(people.clerkB, `/api/v1/meetings/${id}/registrations`, { attendees: [{ name: '王建华', position: '副局长', phone: '13957110003' }] });
  assert.equal(changed.statusCode, 200, changed.body);
  regs = await get(people.organiser, `/api/v1/meetings/${id}/registrations`);
  assert.deepEqual([byUnit().get(units.b)?.state, byUnit().get(units.b)?.reason, byUnit().get(units.b)?.attendees.length], ['registered', null, 1]);

  // Remind: only C is silent.
  const reminded = await post(people.organiser, `/api/v1/meetings/${id}/remind`, {});
  assert.equal(reminded.statusCode, 200, reminded.body);
  assert.deepEqual(reminded.json().unitIds, [units.c]);
  assert.deepEqual(await inboxOf(people.clerkC), ['meetings.notice', 'meetings.reminder']);
  assert.deepEqual(await inboxOf(people.clerkA), ['meetings.notice']);

  // Exports.
  const xlsx = await get(people.organiser, `/api/v1/meetings/${id}/attendees.xlsx`);
  assert.equal(xlsx.statusCode, 200, xlsx.body);
  assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
  const { loadExcel } = await import('../../platform/lazy.ts');
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as never);
  const sheet = workbook.worksheets[0];
  assert.equal(sheet.rowCount, 4, 'a header and three attendees');
  assert.equal(String(sheet.getRow(2).getCell(3).value), '张明');
  assert.equal(String(sheet.getRow(2).getCell(6).value), codes[0]);
  const pdf = await get(people.organiser, `/api/v1/meetings/${id}/sign-in-sheet.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  assert.equal((await get(people.clerkA, `/api/v1/meetings/${id}/attendees.xlsx`)).statusCode, 404);
  assert.equal((await get(people.outsider, `/api/v1/meetings/${id}/sign-in-sheet.pdf`)).statusCode, 404);

  // Check-in at the door, once per code.
  clock.set(shanghai('2026-12-07 09:40:00'));
  const arrived = await post(people.organiser, `/api/v1/meetings/${id}/check-ins`, { code: codes[0].toLowerCase() });
  assert.equal(arrived.statusCode, 200, arrived.body);
  assert.equal(arrived.json().name, '张明');
  clock.set(shanghai('2026-12-07 09:45:00'));
  const twice = problem(await post(people.organiser, `/api/v1/meetings/${id}/check-ins`, { code: codes[0] }));
  assert.equal(twice.status, 409);
  assert.equal(twice.body.code, 'MEETINGS_ALREADY_CHECKED_IN');
  assert.equal((twice.body as unknown as { checkedInAt: string }).checkedInAt, shanghai('2026-12-07 09:40:00').toISOString());
  assert.equal((await post(people.organiser, `/api/v1/meetings/${id}/check-ins`, { code: 'ZZZZZZ' })).statusCode, 404);
  assert.equal((await post(people.clerkA, `/api/v1/meetings/${id}/check-ins`, { code: codes[1] })).statusCode, 404, 'only the organiser checks in');
  regs = await get(people.organiser, `/api/v1/meetings/${id}/registrations`);
  assert.deepEqual(regs.json().counts, { invited: 3, registered: 2, declined: 0, pending: 1, attendees: 3, arrived: 1 });
  assert.ok(byUnit().get(units.a)?.attendees[0].checkedInAt);
  assert.equal(byUnit().get(units.a)?.attendees[1].checkedInAt, null);

  // After the deadline nobody registers or changes (accounts signed in then).
  clock.set(shanghai('2026-12-16 09:00:00'));
  const lateClerk = await makeUser(ctx.platform, units.c, ['doc_clerk']);
  const late = problem(await post(lateClerk, `/api/v1/meetings/${id}/registrations`, { decline: true, reason: '已过期' }));
  assert.deepEqual([late.status, late.body.code], [422, 'MEETINGS_REGISTRATION_CLOSED']);
});

test('changes after sending and cancellation reach every invited unit', async () => {
  clock.set(shanghai('2026-12-07 10:00:00'));
  const id = await sentMeeting({ invitedUnitIds: [units.a, units.b] });
  const changesBefore = await countOf(people.clerkA, 'meetings.changed');
  const changed = await patch(people.organiser, `/api/v1/meetings/${id}`, { place: '市行政中心第二会议室', invitedUnitIds: [units.a, units.c] });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(await countOf(people.clerkA, 'meetings.changed'), changesBefore + 1);
  assert.equal(await countOf(people.clerkB, 'meetings.uninvited'), 1);
  assert.equal((await get(people.clerkB, `/api/v1/meetings/${id}`)).statusCode, 404, 'taken off the list');
  assert.equal((await get(people.clerkC, `/api/v1/meetings/${id}`)).json().myRegistration.state, 'pending', 'added: a registration to answer');
  assert.equal((await get(people.clerkA, `/api/v1/meetings/${id}`)).json().place, '市行政中心第二会议室');
  assert.equal((await patch(people.clerkA, `/api/v1/meetings/${id}`, { place: '别处' })).statusCode, 404);

  assert.equal(problem(await post(people.organiser, `/api/v1/meetings/${id}/cancel`, {})).status, 400, 'a reason is required');
  const cancelled = await post(people.organiser, `/api/v1/meetings/${id}/cancel`, { reason: '因故取消' });
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  assert.equal(await countOf(people.clerkA, 'meetings.cancelled'), 1);
  assert.equal(await countOf(people.clerkC, 'meetings.cancelled'), 1);
  assert.equal(await countOf(people.clerkB, 'meetings.cancelled'), 0, 'no longer invited');
  assert.equal((await post(people.clerkA, `/api/v1/meetings/${id}/registrations`, { decline: true, reason: '取消了' })).statusCode, 409);
  assert.equal((await patch(people.organiser, `/api/v1/meetings/${id}`, { place: '别处' })).statusCode, 409);
});

test('bad notices are refused and write nothing', async () => {
  clock.set(shanghai('2026-12-07 11:00:00'));
  const meetings = await count('meetings_meetings');
  const refuse = async (body: unknown, status: number, code?: string, path?: string, user = people.organiser) => {
    const res = problem(await post(user, '/api/v1/meetings', body));
    assert.equal(res.status, status, JSON.stringify(res.body));
    if (code) assert.equal(res.body.code, code);
    if (path) assert.ok(res.body.errors?.some((e) => e.path === path), JSON.stringify(res.body));
  };
  await refuse(notice({ registrationDeadline: '2026-12-21T09:00:00+08:00' }), 400, 'VALIDATION_FAILED', 'body.registrationDeadline');
  await refuse(notice({ startsAt: '2026-12-01T09:00:00+08:00', registrationDeadline: '2026-11-30T09:00:00+08:00', endsAt: undefined }), 400, 'VALIDATION_FAILED', 'body.startsAt');
  await refuse(notice({ endsAt: '2026-12-20T08:00:00+08:00' }), 400, 'VALIDATION_FAILED', 'body.endsAt');
  await refuse(notice({ maxAttendeesPerUnit: 0 }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ maxAttendeesPerUnit: 51 }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ maxAttendeesPerUnit: '2' }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ invitedUnitIds: [] }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ invitedUnitIds: [units.a, units.a] }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ invitedUnitIds: Array.from({ length: 2001 }, (_, i) => `u${i}`) }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ title: '' }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ title: '   ' }), 400, 'VALIDATION_FAILED', 'body.title');
  await refuse(notice({ title: 'x'.repeat(201) }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ startsAt: 'tomorrow' }), 400, 'VALIDATION_FAILED');
  await refuse(notice({ organiserUnitId: units.a }), 400, 'VALIDATION_FAILED');
  await refuse({}, 400, 'VALIDATION_FAILED');
  await refuse([], 400);
  await refuse(notice({ contactPhone: '12345' }), 400, 'VALIDATION_FAILED', 'body.contactPhone');
  const unknown = problem(await post(people.organiser, '/api/v1/meetings', notice({ invitedUnitIds: [units.a, 'no-such-unit'] })));
  assert.deepEqual([unknown.status, unknown.body.code], [422, 'MEETINGS_UNIT_UNKNOWN']);
  assert.match(unknown.body.detail, /no-such-unit/);
  await refuse(notice(), 403, 'FORBIDDEN', undefined, people.approver);
  const text = await ctx.app.inject({ method: 'POST', url: '/api/v1/meetings', headers: { ...bearer(people.organiser), 'content-type': 'application/json' }, payload: '{"title":' });
  assert.equal(text.statusCode, 400);
  assert.equal(await count('meetings_meetings'), meetings, 'nothing written');
  // A PATCH that breaks the times is refused too.
  const id = await sentMeeting();
  assert.equal((await patch(people.organiser, `/api/v1/meetings/${id}`, { registrationDeadline: '2026-12-25T09:00:00+08:00' })).statusCode, 400);
  assert.equal((await patch(people.organiser, `/api/v1/meetings/${id}`, {})).statusCode, 400);
});

test('bad registrations are refused and write nothing', async () => {
  clock.set(shanghai('2026-12-07 12:00:00'));
  const id = await sentMeeting({ maxAttendeesPerUnit: 2 });
  const attendees = await count('meetings_attendees');
  const person = (n: number) => ({ name: `参会人${n}`, position: '科员', phone: `1395711${String(1000 + n).slice(-4)}` });
  const refuse = async (user: TestUser, body: unknown, status: number, code?: string) => {
    const res = await post(user, `/api/v1/meetings/${id}/registrations`, body);
    assert.equal(res.statusCode, status, res.body);
    if (code) assert.equal(res.json().code, code);
  };
  await refuse(people.clerkA, { attendees: [person(1), person(2), person(3)] }, 422, 'MEETINGS_TOO_MANY_ATTENDEES');
  await refuse(people.clerkA, { decline: true }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { decline: true, reason: '  ' }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { decline: false, reason: '不来' }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [person(1)], decline: true, reason: '不来' }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, {}, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [] }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: Array.from({ length: 500 }, (_, i) => person(i)) }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [{ ...person(1), phone: '1234567' }] }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [{ ...person(1), name: 42 }] }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [{ ...person(1), unitId: units.b }] }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, { attendees: [person(1)], unitId: units.b }, 400, 'VALIDATION_FAILED');
  await refuse(people.clerkA, 'attendees', 415);
  await refuse(people.outsider, { attendees: [person(1)] }, 404, 'NOT_FOUND');
  await refuse(people.approver, { attendees: [person(1)] }, 403, 'FORBIDDEN');
  assert.equal((await post(people.clerkA, '/api/v1/meetings/no-such-meeting/registrations', { attendees: [person(1)] })).statusCode, 404);
  assert.equal(await count('meetings_attendees'), attendees, 'nothing written');
  const regs = await get(people.organiser, `/api/v1/meetings/${id}/registrations`);
  assert.ok(regs.json().items.every((r: { state: string }) => r.state === 'pending'));
});

test('two answers from one unit at once leave one answer', { skip: TEST_PG_URL ? false : 'races need PostgreSQL (ZT_TEST_DATABASE_URL)' }, async () => {
  clock.set(shanghai('2026-12-07 13:00:00'));
  const id = await sentMeeting({ maxAttendeesPerUnit: 3 });
  const other = await makeUser(ctx.platform, units.a, ['doc_clerk']);
  const answers = [
    { attendees: [{ name: '甲一', position: '科长', phone: '13957120001' }, { name: '甲二', position: '科员', phone: '13957120002' }] },
    { attendees: [{ name: '乙一', position: '科长', phone: '13957120003' }, { name: '乙二', position: '科员', phone: '13957120004' }, { name: '乙三', position: '科员', phone: '13957120005' }] },
    { decline: true, reason: '另有安排' },
  ];
  const results = await Promise.all([post(people.clerkA, `/api/v1/meetings/${id}/registrations`, answers[0]), post(other, `/api/v1/meetings/${id}/registrations`, answers[1]), post(people.clerkA, `/api/v1/meetings/${id}/registrations`, answers[2])]);
  for (const r of results) assert.equal(r.statusCode, 200, r.body);
  const regs = await get(people.organiser, `/api/v1/meetings/${id}/registrations`);
  const mine = regs.json().items.filter((r: { unitId: string }) => r.unitId === units.a);
  assert.equal(mine.length, 1, 'one answer per unit');
  const names = mine[0].attendees.map((a: { name: string }) => a.name).join();
  assert.ok(['甲一,甲二', '乙一,乙二,乙三', ''].includes(names), `one whole answer, not a mix: ${names}`);
  assert.equal(mine[0].state === 'declined', names === '');

  // Two doors check the same code in at once: one arrival, the other is told when.
  const other2 = await makeUser(ctx.platform, units.office, ['doc_clerk']);
  const regA = (await post(people.clerkA, `/api/v1/meetings/${id}/registrations`, answers[0])).json();
  const code = regA.attendees[0].checkInCode as string;
  const both = await Promise.all([post(people.organiser, `/api/v1/meetings/${id}/check-ins`, { code }), post(other2, `/api/v1/meetings/${id}/check-ins`, { code })]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
});

test('console pages: the list, the composer, the organiser’s page, the registration form and check-in', async () => {
  clock.set(shanghai('2026-12-07 14:00:00'));
  const id = await sentMeeting();
  const organiser = await loginSession(ctx.app, people.organiser.username);
  const clerk = await loginSession(ctx.app, people.clerkA.username);
  const page = (session: { cookie: string }, url: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });
  const form = (session: { cookie: string; csrfToken: string }, url: string, fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    body.append('_csrf', session.csrfToken);
    for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) body.append(k, value);
    return ctx.app.inject({ method: 'POST', url, headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
  };
  const noEnglish = (html: string) => {
    const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
    const text = main.replace(/<[^>]+>/g, ' ').replace(/\b[A-Z2-9]{6}\b/g, '');
    assert.doesNotMatch(text, /page\.meetings\.|meetings\.[a-z]+\.[a-z]/, 'no raw keys');
    assert.doesNotMatch(text, /[A-Za-z]{2,}/, `no English words: ${/[A-Za-z]{2,}.{0,40}/.exec(text)?.[0]}`);
    const nav = /<nav class="console-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    assert.match(nav, /<h2[^>]*>会议<\/h2>/, 'the 会议 menu');
  };

  const list = await page(organiser, '/console/meetings');
  assert.equal(list.statusCode, 200, list.body);
  assert.ok(list.body.includes('全市政务服务工作推进会'));
  noEnglish(list.body);

  const compose = await page(organiser, '/console/meetings/new');
  assert.equal(compose.statusCode, 200);
  assert.ok(compose.body.includes(`value="${units.a}"`), 'the unit picker lists the units');
  noEnglish(compose.body);
  const bad = await form(organiser, '/console/meetings/new', { title: '', place: '会议室', agenda: '议程', startsAt: '2026-12-22T09:00', registrationDeadline: '2026-12-21T09:00', maxAttendeesPerUnit: '2', invitedUnitIds: [units.a] });
  assert.equal(bad.statusCode, 400, 'the form comes back with its messages');
  noEnglish(bad.body);
  const made = await form(organiser, '/console/meetings/new', { title: '网页拟定的会议', place: '会议室', agenda: '议程', startsAt: '2026-12-22T09:00', registrationDeadline: '2026-12-21T09:00', maxAttendeesPerUnit: '2', invitedUnitIds: [units.a, units.b] });
  assert.equal(made.statusCode, 303, made.body);
  const madeId = made.headers.location!.split('/').pop()!;
  assert.equal((await form(organiser, `/console/meetings/${madeId}/send`, {})).statusCode, 303);
  assert.equal((await get(people.clerkB, `/api/v1/meetings/${madeId}`)).json().myRegistration.state, 'pending');

  const view = await page(organiser, `/console/meetings/${id}`);
  assert.equal(view.statusCode, 200);
  assert.ok(view.body.includes(`/api/v1/meetings/${id}/attendees.xlsx`) && view.body.includes(`/api/v1/meetings/${id}/sign-in-sheet.pdf`));
  noEnglish(view.body);

  const registerForm = await page(clerk, `/console/meetings/${id}/register`);
  assert.equal(registerForm.statusCode, 200);
  noEnglish(registerForm.body);
  const noReason = await form(clerk, `/console/meetings/${id}/register`, { answer: 'decline', reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.ok(noReason.body.includes('不参加须说明理由'));
  const badPhone = await form(clerk, `/console/meetings/${id}/register`, { answer: 'attend', 'name-0': '王五', 'position-0': '科长', 'phone-0': '123' });
  assert.equal(badPhone.statusCode, 400);
  assert.ok(badPhone.body.includes('请填写有效的手机号码'));
  noEnglish(badPhone.body);
  const registered = await form(clerk, `/console/meetings/${id}/register`, { answer: 'attend', name: ['王五', ''], position: ['科长', ''], phone: ['13957130001', ''] });
  assert.equal(registered.statusCode, 303, registered.body);
  const after = await page(clerk, `/console/meetings/${id}`);
  const code = /data-code="([A-Z2-9]{6})"/.exec(after.body)?.[1];
  assert.ok(code, 'the registering clerk sees the check-in code');
  assert.equal((await page(await loginSession(ctx.app, people.outsider.username), `/console/meetings/${id}`)).statusCode, 404, 'another unit: not found');

  const checkInPage = await page(organiser, `/console/meetings/${id}/check-in`);
  assert.equal(checkInPage.statusCode, 200);
  noEnglish(checkInPage.body);
  const checked = await form(organiser, `/console/meetings/${id}/check-in`, { code: code! });
  assert.equal(checked.statusCode, 303);
  const again = await form(organiser, `/console/meetings/${id}/check-in`, { code: code! });
  assert.equal(again.statusCode, 409);
  assert.ok(again.body.includes('王五'));
});

test('the demo city gets its meetings once, however often the demo is loaded', async () => {
  clock.set(shanghai('2026-12-07 15:00:00'));
  const keys = ['city.office', 'city.ndrc', 'city.education', 'city.civil', 'city.finance', 'city.hrss', 'city.market', 'city.approval', 'city.data'];
  const made = new Map<string, { id: string; name: string; regionCode: string }>();
  for (const key of keys) made.set(key, await makeUnit(ctx.platform, `演示${key}${process.pid}`));
  const city = { unit: (key: string) => made.get(key)! };
  const before = await count('meetings_meetings');
  for (let i = 0; i < 2; i += 1) await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => loadMeetingsDemo(work, ctx.platform, city));
  assert.equal(await count('meetings_meetings'), before + 2, 'two meetings, once');
  const office = await makeUser(ctx.platform, made.get('city.office')!.id, ['doc_clerk']);
  const list = (await get(office, '/api/v1/meetings')).json().items as Array<{ id: string; organised: boolean; registrationState: string | null }>;
  assert.deepEqual(list.map((m) => [m.organised, m.registrationState]).sort(), [[false, 'pending'], [true, null]]);
  const organised = list.find((m) => m.organised)!;
  const regs = (await get(office, `/api/v1/meetings/${organised.id}/registrations`)).json();
  assert.deepEqual(regs.counts, { invited: 8, registered: 3, declined: 1, pending: 4, attendees: 5, arrived: 0 });
  assert.equal(regs.items.find((r: { unitId: string }) => r.unitId === made.get('city.ndrc')!.id).attendees[0].phone, '13957110001');
});
