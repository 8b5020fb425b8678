/**
 * Disclosure requests (依申请公开): the one extension of a request's time limit (by its unit, with
 * a reason, 1..20 working days, never twice) and the register of a year that the annual report
 * needs, whose figures reconcile with the cases, in JSON, Excel and on the console page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, loginSession, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser, screenshot } from '../../../test/e2e/browser.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { ANSWER_TYPES, interactionDb, type AnswerType, type CaseRow, type CaseState } from './model.ts';
import { currentRound } from './process.ts';
import { caseEvents } from './queries/events.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { addWorkingDays } from '../../platform/calendar/index.ts';
import { loadExcel } from '../../platform/lazy.ts';

let ctx: TestContext;
let f: InteractionFixture;
before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

const post = (user: TestUser, url: string, payload: object, lang = 'zh-CN') => ctx.app.inject({ method: 'POST', url, payload, headers: { ...bearer(user), 'accept-language': lang } });
const get = (user: TestUser, url: string, lang = 'zh-CN') => ctx.app.inject({ method: 'GET', url, headers: { ...bearer(user), 'accept-language': lang } });
const caseRow = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
let seq = 0;
const disclosureRequest = (unitId: string, input: { title?: string; phone?: string } = {}) =>
  receiveTestCase(ctx.platform, { channel: 'disclosure_request', targetUnitId: unitId, idNumber: '11010119900307803X', title: input.title ?? `申请公开第${++seq}号文件`, phone: input.phone ?? `1390000${String(1000 + seq).slice(-4)}` });

test('the handling unit extends a disclosure request once: new due date from the current one, the round extended, logged, audited, the requester told by SMS', async () => {
  const got = await disclosureRequest(f.dept.id, { phone: '13912345678' });
  const before = await caseRow(got.id);
  const res = await post(f.dept.responder, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '需要与第三方协商征求意见', days: 10 });
  assert.equal(res.statusCode, 200, res.body);
  const expected = (await addWorkingDays(ctx.platform.db, String(before.due_date), 10)).date;
  assert.deepEqual(res.json(), { id: got.id, trackingNo: got.trackingNo, state: 'assigned', dueDate: expected, extensionDays: 10, extensionReason: '需要与第三方协商征求意见' });
  const after = await caseRow(got.id);
  assert.deepEqual([String(after.due_date), after.extension_days, after.extension_reason], [expected, 10, '需要与第三方协商征求意见']);

  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, got.id));
  assert.ok(round?.actions.some((a) => a.payload.type === 'extend' && a.payload.days === 10 && a.payload.reason === '需要与第三方协商征求意见'), JSON.stringify(round?.actions));
  const events = await caseEvents(ctx.platform.db, got.id);
  assert.ok(events.some((e) => e.type === 'extended' && e.actor_id === f.dept.responder.id));
  const { rows: audit } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'interaction.case.extend' and object_id = ${got.id}`.execute(ctx.platform.db);
  assert.equal(Number(audit[0].n), 1);
  const { rows: sms } = await sql<{ channel: string; template: string; params: string | Record<string, unknown> }>`select channel, template, params from notify_outbox where dedupe_key = ${`interaction:${got.id}:extended`}`.execute(ctx.platform.db);
  assert.equal(sms.length, 1);
  const params = typeof sms[0].params === 'string' ? JSON.parse(sms[0].params) : sms[0].params;
  assert.deepEqual([sms[0].channel, sms[0].template, params.dueDate, params.days], ['sms', 'interaction.case.extended', expected, 10]);

  // A second extension: 409 with a clear message in the caller's language, nothing changed.
  const again = await post(f.dept.leader, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '再延一次', days: 5 });
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(problem(again).body.code, 'INTERACTION_ALREADY_EXTENDED');
  assert.match(problem(again).body.detail, /已延期过一次/);
  const againEn = await post(f.dept.leader, `/api/v1/interaction/cases/${got.id}/extend`, { reason: 'once more', days: 5 }, 'en');
  assert.match(problem(againEn).body.detail, /extended once already/);
  assert.equal(String((await caseRow(got.id)).due_date), expected);
});

test("the unit's leader may extend too; another unit gets 404, staff without the handling permissions 403, other channels 409", async () => {
  const got = await disclosureRequest(f.dept.id);
  assert.equal((await post(f.other.responder, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '理由', days: 5 })).statusCode, 404);
  assert.equal((await post(f.other.leader, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '理由', days: 5 })).statusCode, 404);
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '理由', days: 5 })).statusCode, 403);
  assert.equal((await post(f.dept.leader, `/api/v1/interaction/cases/no-such-case/extend`, { reason: '理由', days: 5 })).statusCode, 404);
  const ok = await post(f.dept.leader, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '材料较多，需要检索整理', days: 20 });
  assert.equal(ok.statusCode, 200, ok.body);

  const letter = await receiveTestCase(ctx.platform, { channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '一封普通来信', phone: '13700000001' });
  const notDisclosure = await post(f.dept.responder, `/api/v1/interaction/cases/${letter.id}/extend`, { reason: '理由', days: 5 });
  assert.equal(notDisclosure.statusCode, 409, notDisclosure.body);
  assert.equal(problem(notDisclosure).body.code, 'INTERACTION_EXTEND_NOT_DISCLOSURE');

  const answered = await disclosureRequest(f.dept.id);
  await interactionDb(ctx.platform.db).updateTable('interaction_cases').set({ state: 'answered', answered_at: new Date(), answer_type: 'public' }).where('id', '=', answered.id).execute();
  const closed = await post(f.dept.responder, `/api/v1/interaction/cases/${answered.id}/extend`, { reason: '理由', days: 5 });
  assert.equal(problem(closed).body.code, 'INTERACTION_EXTEND_CLOSED');
});

test('two extensions at the same moment: one is made, the other is 409', async () => {
  const got = await disclosureRequest(f.dept.id);
  const results = await Promise.all([
    post(f.dept.responder, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '第一位经办人', days: 5 }),
    post(f.dept.leader, `/api/v1/interaction/cases/${got.id}/extend`, { reason: '单位负责人', days: 15 }),
  ]);
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409], results.map((r) => r.body).join('\n'));
  const winner = results.find((r) => r.statusCode === 200)!.json();
  const row = await caseRow(got.id);
  assert.deepEqual([row.extension_days, String(row.due_date)], [winner.extensionDays, winner.dueDate]);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'interaction.case.extend' and object_id = ${got.id}`.execute(ctx.platform.db);
  assert.equal(Number(rows[0].n), 1);
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, got.id));
  assert.equal(round?.actions.filter((a) => a.payload.type === 'extend').length, 1);
});

test('bad extensions are 400 in the caller language and write nothing', async () => {
  const got = await disclosureRequest(f.dept.id);
  const before = await caseRow(got.id);
  for (const [payload, path] of [
    [{ reason: '理由', days: 0 }, 'days'],
    [{ reason: '理由', days: 21 }, 'days'],
    [{ reason: '   ', days: 5 }, 'reason'],
    [{ reason: '理'.repeat(1001), days: 5 }, 'reason'],
  ] as const) {
    const res = await post(f.dept.responder, `/api/v1/interaction/cases/${got.id}/extend`, payload);
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} ${res.body}`);
    assert.match(res.headers['content-type'] ?? '', /problem\+json/);
    assert.ok(problem(res).body.errors?.some((e) => e.path.includes(path) && /[\u4e00-\u9fff]/.test(e.message)), res.body);
  }
  const en = await post(f.dept.responder, `/api/v1/interaction/cases/${got.id}/extend`, { reason: 'x', days: 30 }, 'en');
  assert.equal(en.statusCode, 400);
  assert.match(problem(en).body.errors![0].message, /1 to 20 working days/);
  for (const payload of [{ days: 5 }, { reason: '理由' }, { reason: '理由', days: 2.5 }, { reason: '理由', days: 5, extra: true }]) {
    const res = await post(f.dept.responder, `/api/v1/interaction/cases/${got.id}/extend`, payload);
    assert.ok(res.statusCode === 400 || res.statusCode === 422, `${JSON.stringify(payload)} ${res.statusCode}`);
  }
  const after = await caseRow(got.id);
  assert.deepEqual([after.due_date, after.extension_days, after.version], [before.due_date, 0, before.version]);
});

// ---------------------------------------------------------------- the register

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);

/** A request of the other unit received and (maybe) answered at the moments given. */
async function registerCase(receivedAt: string, answered: { at: string; type: AnswerType } | null, options: { state?: CaseState; extended?: boolean } = {}) {
  const got = await disclosureRequest(f.other.id);
  await interactionDb(ctx.platform.db)
    .updateTable('interaction_cases')
    .set({
      received_at: shanghai(receivedAt),
      state: options.state ?? (answered ? 'answered' : 'assigned'),
      answered_at: answered ? shanghai(answered.at) : null,
      answer_type: answered?.type ?? null,
      extension_days: options.extended ? 15 : 0,
      extension_reason: options.extended ? '需要征求第三方意见' : null,
    })
    .where('id', '=', got.id)
    .execute();
  return got.id;
}

type Figures = { received: number; carriedOver: number; answered: Record<AnswerType, number>; answeredTotal: number; open: number; extended: number };
const answeredOf = (partial: Partial<Record<AnswerType, number>>) => Object.fromEntries(ANSWER_TYPES.map((t) => [t, partial[t] ?? 0])) as Record<AnswerType, number>;

/** The register counted again from the rows, the way the annual report defines it. */
function fromCases(rows: CaseRow[], year: number): Figures {
  const start = shanghai(`${year}-01-01 00:00:00`).getTime();
  const end = shanghai(`${year + 1}-01-01 00:00:00`).getTime();
  const inYear = rows.filter((r) => r.state !== 'merged' && new Date(r.received_at).getTime() < end && (!r.answered_at || new Date(r.answered_at).getTime() >= start));
  const answeredInYear = inYear.filter((r) => r.answered_at && new Date(r.answered_at).getTime() < end);
  return {
    received: inYear.filter((r) => new Date(r.received_at).getTime() >= start).length,
    carriedOver: inYear.filter((r) => new Date(r.received_at).getTime() < start).length,
    answered: answeredOf(Object.fromEntries(ANSWER_TYPES.map((t) => [t, answeredInYear.filter((r) => r.answer_type === t).length]))),
    answeredTotal: answeredInYear.length,
    open: inYear.length - answeredInYear.length,
    extended: inYear.filter((r) => r.extension_days > 0).length,
  };
}

test('the register of a year counts received, carried over, answers by type, open and extended, and reconciles with the cases', async () => {
  await registerCase('2024-06-03 10:00:00', { at: '2025-02-10 09:00:00', type: 'public' }); // carried into 2025
  await registerCase('2024-11-04 10:00:00', { at: '2024-12-02 09:00:00', type: 'partial' }); // finished in 2024
  await registerCase('2025-03-03 10:00:00', { at: '2025-04-20 09:00:00', type: 'partial' }, { extended: true });
  await registerCase('2025-05-06 10:00:00', { at: '2025-06-02 09:00:00', type: 'withheld' });
  await registerCase('2025-12-20 10:00:00', null); // still open
  await registerCase('2025-12-28 10:00:00', { at: '2026-01-05 09:00:00', type: 'not_exist' }); // open at the end of 2025
  await registerCase('2025-07-01 10:00:00', null, { state: 'merged' }); // answered with the case it joined
  await registerCase('2025-08-03 10:00:00', { at: '2025-08-20 09:00:00', type: 'not_responsible' });
  await registerCase('2025-08-04 10:00:00', { at: '2025-08-21 09:00:00', type: 'correction_needed' });
  await registerCase('2025-08-05 10:00:00', { at: '2025-08-22 09:00:00', type: 'not_processed' });
  await registerCase('2025-12-31 23:59:00', { at: '2025-12-31 23:59:30', type: 'not_exist' }); // the year's last minute, Shanghai time

  const res = await get(f.other.responder, '/api/v1/interaction/disclosure/register?year=2025');
  assert.equal(res.statusCode, 200, res.body);
  const register = res.json() as { year: number; items: Array<Figures & { unitId: string; unitName: string }>; total: Figures };
  assert.equal(register.year, 2025);
  assert.deepEqual(
    register.items.map((i) => i.unitId),
    [f.other.id],
    'a responder reads their own unit',
  );
  const expected2025: Figures = {
    received: 8,
    carriedOver: 1,
    answered: answeredOf({ public: 1, partial: 1, withheld: 1, not_exist: 1, not_responsible: 1, correction_needed: 1, not_processed: 1 }),
    answeredTotal: 7,
    open: 2,
    extended: 1,
  };
  const { unitId: _u, unitName, ...figures } = register.items[0];
  assert.deepEqual(figures, expected2025);
  assert.deepEqual(register.total, expected2025);
  assert.match(unitName, /住房和城乡建设局/);
  assert.equal(expected2025.received + expected2025.carriedOver, expected2025.answeredTotal + expected2025.open);

  // Reconciled with the rows themselves, for every year the cases touch (the current year's own requests included).
  const rows = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('channel', '=', 'disclosure_request').where('handling_unit_id', '=', f.other.id).execute();
  const thisYear = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  for (const year of [2024, 2025, 2026, thisYear]) {
    const other = (await get(f.supervisor, `/api/v1/interaction/disclosure/register?year=${year}&unitId=${f.other.id}`)).json() as { total: Figures };
    assert.deepEqual(other.total, fromCases(rows, year), `year ${year}`);
    assert.equal(other.total.received + other.total.carriedOver, other.total.answeredTotal + other.total.open);
  }
  assert.deepEqual((await get(f.supervisor, `/api/v1/interaction/disclosure/register?year=2024&unitId=${f.other.id}`)).json().total, {
    received: 2,
    carriedOver: 0,
    answered: answeredOf({ partial: 1 }),
    answeredTotal: 1,
    open: 1,
    extended: 0,
  });

  // A supervisor sees every unit; a unit's responder asking for another unit gets 404; a bad year 422.
  const all = (await get(f.supervisor, '/api/v1/interaction/disclosure/register?year=2025')).json() as { items: Array<{ unitId: string }> };
  assert.ok(all.items.some((i) => i.unitId === f.other.id));
  assert.equal((await get(f.dept.responder, `/api/v1/interaction/disclosure/register?year=2025&unitId=${f.other.id}`)).statusCode, 404);
  const badYear = await get(f.other.responder, '/api/v1/interaction/disclosure/register?year=1999');
  assert.equal(badYear.statusCode, 400, badYear.body);
  assert.match(problem(badYear).body.errors![0].message, /年度/);
  assert.equal((await get(f.moderator, '/api/v1/interaction/disclosure/register?year=2025')).statusCode, 403);

  // The Excel export has the same figures under Chinese headings.
  const xlsx = await get(f.other.responder, '/api/v1/interaction/disclosure/register.xlsx?year=2025');
  assert.equal(xlsx.statusCode, 200);
  assert.match(xlsx.headers['content-type'] ?? '', /spreadsheetml/);
  const { Workbook } = await loadExcel();
  const book = new Workbook();
  await book.xlsx.load(xlsx.rawPayload as never);
  const sheet = book.worksheets[0];
  const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
  assert.deepEqual(values(2), ['单位', '本年新收', '上年结转', '予以公开', '部分公开', '不予公开', '信息不存在', '非本机关负责', '需要补正', '不予处理', '答复总数', '未办结', '延期答复']);
  assert.deepEqual(values(3), [unitName, 8, 1, 1, 1, 1, 1, 1, 1, 1, 7, 2, 1]);
  assert.deepEqual(values(4), ['合计', 8, 1, 1, 1, 1, 1, 1, 1, 1, 7, 2, 1]);
});

test('the console page shows the register table of the year, in Chinese and in English, with the export link', async () => {
  const zh = await get(f.other.responder, '/console/interaction/disclosure?year=2025');
  assert.equal(zh.statusCode, 200, zh.body);
  assert.match(zh.body, /依申请公开登记/);
  assert.match(zh.body, /部分公开/);
  assert.match(zh.body, /table-stack/, 'the table stacks on a phone');
  assert.match(zh.body, /register\.xlsx\?year=2025/);
  assert.doesNotMatch(zh.body, /page\.interaction\.|interaction\.subject\./, 'no raw keys');
  const en = await get(f.other.responder, '/console/interaction/disclosure?year=2025', 'en');
  assert.equal(en.statusCode, 200);
  assert.match(en.body, /Disclosure request register/);
  const empty = await get(f.other.responder, '/console/interaction/disclosure?year=2001');
  assert.match(empty.body, /该年度没有政府信息公开申请/);
  const bad = await get(f.other.responder, '/console/interaction/disclosure?year=abc');
  assert.equal(bad.statusCode, 400);
  const nav = await get(f.other.responder, '/console');
  assert.match(nav.body, /\/console\/interaction\/disclosure/, 'the menu links the page');
});

test('in a browser, the register page at desktop width and at 390 px: no sideways scroll, no accessibility violation', { skip: chromiumMissing }, async () => {
  const { base, browser } = await openBrowser(ctx);
  try {
    const [name, value] = (await loginSession(ctx.app, f.other.responder.username)).cookie.split('=');
    for (const width of [1366, 390]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${base}/console/interaction/disclosure?year=2025`);
      assert.match((await page.locator('#disclosure-register').textContent()) ?? '', /部分公开/);
      await assertNoSidewaysScroll(page, `disclosure register at ${width} px`);
      await assertAccessible(page, `interaction-disclosure-register-${width}`);
      await screenshot(page, `interaction-disclosure-register-${width}`);
      assert.deepEqual(errors, [], 'no errors in the console');
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
