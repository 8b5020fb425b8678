/**
 * Interaction statistics: per unit and per channel, every measure reconciled with the case rows
 * counted here (working days by the calendar service, across the National Day holidays); who
 * reads which units; bad periods; the Excel export and the console page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, problem, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { countWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { loadExcel } from '../../platform/lazy.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { CHANNELS, interactionDb, type CaseRow, type Channel } from './model.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
const DAY = 86_400_000;
const clock = new TestClock(shanghai('2026-11-30 09:00:00'));
let ctx: TestContext;
let f: InteractionFixture;

type Measures = { received: number; answered: number; answerRate: number; onTimeRate: number | null; avgWorkingDays: number | null; satisfaction: number | null; reopened: number };
type UnitItem = Measures & { unitId: string; unitName: string };
type ChannelItem = Measures & { channel: Channel };

const get = (user: TestUser, url: string, lang = 'zh-CN') => ctx.app.inject({ method: 'GET', url, headers: { ...bearer(user), 'accept-language': lang } });
async function items<T>(user: TestUser, url: string): Promise<T[]> {
  const res = await get(user, url);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

const FROM = '2026-09-20';
const TO = '2026-10-20';

before(async () => {
  ctx = await createTestContext({ clock });
  f = await interactionFixture(ctx.platform);
  // Cases received around and inside the period (the edges to the minute, across the National Day holidays).
  const moments = [
    '2026-09-19 23:59:00',
    '2026-09-20 00:00:00',
    '2026-09-25 16:30:00',
    '2026-09-29 22:00:00',
    '2026-09-30 07:59:00',
    '2026-10-01 10:00:00',
    '2026-10-09 08:00:00',
    '2026-10-15 12:00:00',
    '2026-10-20 23:59:00',
    '2026-10-21 00:00:00',
  ];
  const db = interactionDb(ctx.platform.db);
  let n = 0;
  for (const moment of moments) {
    for (const channel of CHANNELS) {
      n += 1;
      clock.set(shanghai(moment));
      const target = n % 3 === 0 ? f.other.id : f.dept.id;
      const got =
        channel === 'hotline'
          ? await receiveTestCase(ctx.platform, { channel, title: `热线工单${n}`, dispatcherUnitId: f.hotline.id, regionCode: '990100', urgency: 'normal' }, f.hotline.operator)
          : await receiveTestCase(ctx.platform, {
              channel,
              title: `来信${n}`,
              phone: `1380013${String(n).padStart(4, '0')}`,
              targetUnitId: channel === 'mayor_mailbox' ? null : target,
              idNumber: channel === 'disclosure_request' ? '11010119900307803X' : null,
            });
      // Three of four are answered, after 0 to 24 calendar days (some late); ratings, return visits and reopenings on some.
      if (n % 4 !== 0) {
        const answeredAt = new Date(shanghai(moment).getTime() + (n % 25) * DAY + (n % 7) * 3_600_000);
        await db
          .updateTable('interaction_cases')
          .set({
            state: 'answered',
            answered_at: answeredAt,
            answer_body: '已处理',
            rating_score: n % 3 === 0 ? null : (n % 5) + 1,
            visit_satisfaction: channel === 'hotline' && n % 2 === 0 ? ((n + 2) % 5) + 1 : null,
            reopen_count: n % 6 === 1 ? 1 : 0,
          })
          .where('id', '=', got.id)
          .execute();
      }
    }
  }
  clock.set(shanghai('2026-11-30 10:00:00'));
});
after(() => ctx?.close());

/** The measures counted here from the rows, the working days by the calendar service, case by case. */
async function expected(rows: CaseRow[]): Promise<Measures> {
  const answered = rows.filter((r) => r.answered_at !== null);
  let days = 0;
  for (const r of answered) days += (await countWorkingDays(ctx.platform.db, shanghaiDate(r.received_at), shanghaiDate(r.answered_at!))).workingDays;
  const scores = rows.flatMap((r) => [r.rating_score, r.visit_satisfaction].filter((s): s is number => s !== null));
  const round = (v: number, p: number) => Math.round(v * 10 ** p) / 10 ** p;
  return {
    received: rows.length,
    answered: answered.length,
    answerRate: rows.length ? round(answered.length / rows.length, 4) : 0,
    onTimeRate: answered.length ? round(answered.filter((r) => shanghaiDate(r.answered_at!) <= r.due_date).length / answered.length, 4) : null,
    avgWorkingDays: answered.length ? round(days / answered.length, 2) : null,
    satisfaction: scores.length ? round(scores.reduce((s, v) => s + v, 0) / scores.length, 2) : null,
    reopened: rows.filter((r) => r.reopen_count > 0).length,
  };
}

async function periodRows(): Promise<CaseRow[]> {
  return interactionDb(ctx.platform.db)
    .selectFrom('interaction_cases')
    .selectAll()
    .where('received_at', '>=', shanghai(`${FROM} 00:00:00`))
    .where('received_at', '<', shanghai('2026-10-21 00:00:00'))
    .execute();
}

test('every measure per unit reconciles with the cases counted from the rows (holidays not counted as working days)', async () => {
  const rows = await periodRows();
  assert.equal(rows.length, 8 * CHANNELS.length, 'the edges: 09-19 23:59 and 10-21 00:00 are outside');
  const got = await items<UnitItem>(f.supervisor, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`);
  const units = [...new Set(rows.map((r) => r.handling_unit_id))];
  assert.deepEqual(got.map((i) => i.unitId).sort(), units.sort());
  for (const item of got) {
    const { unitId, unitName, ...measures } = item;
    assert.ok(unitName.length > 0);
    assert.deepEqual(measures, await expected(rows.filter((r) => r.handling_unit_id === unitId)), unitName);
  }
  // Some answers were late and some cases span the holidays: the figures are not trivial.
  const all = await expected(rows);
  assert.ok(all.onTimeRate! > 0 && all.onTimeRate! < 1, `on-time rate ${all.onTimeRate}`);
  assert.ok(all.satisfaction !== null && all.reopened > 0);
  const sum = got.reduce((s, i) => s + i.received, 0);
  assert.equal(sum, rows.length);
});

test('a channel filter and the per-channel figures reconcile too', async () => {
  const rows = await periodRows();
  for (const channel of CHANNELS) {
    const got = await items<UnitItem>(f.supervisor, `/api/v1/interaction/stats?from=${FROM}&to=${TO}&channel=${channel}`);
    for (const { unitId, unitName, ...measures } of got) {
      assert.deepEqual(measures, await expected(rows.filter((r) => r.handling_unit_id === unitId && r.channel === channel)), `${channel} ${unitName}`);
    }
  }
  const channels = await items<ChannelItem>(f.supervisor, `/api/v1/interaction/stats/channels?from=${FROM}&to=${TO}`);
  assert.deepEqual(
    channels.map((c) => c.channel),
    [...CHANNELS],
  );
  for (const { channel, ...measures } of channels) assert.deepEqual(measures, await expected(rows.filter((r) => r.channel === channel)), channel);
});

test("a unit's staff see their own unit only (zeros when it had nothing); without the permission: 403", async () => {
  const rows = await periodRows();
  const own = await items<UnitItem>(f.dept.responder, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`);
  assert.deepEqual(
    own.map((i) => i.unitId),
    [f.dept.id],
  );
  const { unitId: _u, unitName: _n, ...measures } = own[0];
  assert.deepEqual(measures, await expected(rows.filter((r) => r.handling_unit_id === f.dept.id)));
  const leader = await items<UnitItem>(f.other.leader, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`);
  assert.deepEqual(
    leader.map((i) => i.unitId),
    [f.other.id],
  );
  // The per-channel figures of a unit's staff count their own unit's cases only.
  const channels = await items<ChannelItem>(f.dept.responder, `/api/v1/interaction/stats/channels?from=${FROM}&to=${TO}`);
  assert.equal(
    channels.reduce((s, c) => s + c.received, 0),
    rows.filter((r) => r.handling_unit_id === f.dept.id).length,
  );
  const quiet = await items<UnitItem>(f.town.responder, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`);
  assert.deepEqual(quiet, [{ unitId: f.town.id, unitName: quiet[0].unitName, received: 0, answered: 0, answerRate: 0, onTimeRate: null, avgWorkingDays: null, satisfaction: null, reopened: 0 }]);
  assert.equal((await get(f.moderator, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`)).statusCode, 403);
  assert.equal((await get(f.moderator, `/console/interaction/stats?from=${FROM}&to=${TO}`)).statusCode, 403);
});

test('bad periods and channels are a 400 problem naming the field, in the caller’s language, on every route', async () => {
  for (const [query, field] of [
    ['from=2026-10-20&to=2026-09-20', 'to'],
    ['from=2026-13-01&to=2026-12-31', 'from'],
    ['from=2026-12-01&to=20261231', 'to'],
    ['from=2023-01-01&to=2026-12-31', 'to'],
    ['to=2026-12-31', 'from'],
  ]) {
    for (const path of ['/api/v1/interaction/stats', '/api/v1/interaction/stats/channels', '/api/v1/interaction/stats.xlsx']) {
      const res = await get(f.supervisor, `${path}?${query}`);
      assert.equal(res.statusCode, 400, `${path}?${query}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.ok((problem(res).body.errors ?? []).some((e) => e.path === field), res.body);
    }
  }
  const channel = await get(f.supervisor, `/api/v1/interaction/stats?from=${FROM}&to=${TO}&channel=fax`);
  assert.equal(channel.statusCode, 400);
  assert.match(String(channel.headers['content-type']), /application\/problem\+json/);
  const english = await get(f.supervisor, '/api/v1/interaction/stats?from=2026-10-20&to=2026-09-20', 'en');
  assert.match(english.body, /cannot be before the start date/);
  const chinese = await get(f.supervisor, '/api/v1/interaction/stats?from=2026-10-20&to=2026-09-20');
  assert.match(chinese.body, /结束日期不能早于开始日期/);
  // Exactly three years is allowed.
  assert.equal((await get(f.supervisor, '/api/v1/interaction/stats?from=2024-01-01&to=2026-12-31')).statusCode, 200);
});

test('the Excel export has Chinese headings and the same figures, per unit and per channel', async () => {
  const units = await items<UnitItem>(f.supervisor, `/api/v1/interaction/stats?from=${FROM}&to=${TO}`);
  const res = await get(f.supervisor, `/api/v1/interaction/stats.xlsx?from=${FROM}&to=${TO}`);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /spreadsheetml/);
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  await workbook.xlsx.load(res.rawPayload as never);
  const sheet = workbook.getWorksheet('按单位')!;
  assert.deepEqual((sheet.getRow(2).values as unknown[]).slice(1), ['单位', '受理数', '办结数', '办结率', '按时办结率', '平均办理用时（工作日）', '满意度（1-5）', '重新办理']);
  const rows = new Map<string, unknown[]>();
  sheet.eachRow((row, n) => {
    if (n > 2) rows.set(String(row.getCell(1).value), (row.values as unknown[]).slice(1));
  });
  for (const u of units) assert.deepEqual(rows.get(u.unitName)?.slice(1, 4), [u.received, u.answered, u.answerRate]);
  assert.equal(workbook.getWorksheet('按渠道')!.rowCount, 2 + CHANNELS.length);
  const own = await get(f.dept.responder, `/api/v1/interaction/stats.xlsx?from=${FROM}&to=${TO}`);
  const ownBook = new Workbook();
  await ownBook.xlsx.load(own.rawPayload as never);
  assert.equal(ownBook.getWorksheet('按单位')!.rowCount, 3, 'period, headings, the unit');
});

test('the console page: period form, charts with text alternatives, both tables stacked on phones, the export link, all in Chinese', async () => {
  const page = await get(f.supervisor, `/console/interaction/stats?from=${FROM}&to=${TO}`);
  assert.equal(page.statusCode, 200, page.body);
  const body = page.body;
  assert.ok(body.includes('政民互动统计') && body.includes('办结率') && body.includes('12345热线'));
  assert.match(body, /<svg[^>]*role="img"[^>]*aria-labelledby="chart-channels-title chart-channels-desc"/);
  assert.match(body, /<desc id="chart-channels-desc">/);
  assert.equal((body.match(/table-wrap table-stack/g) ?? []).length, 2);
  assert.ok(body.includes(`/api/v1/interaction/stats.xlsx?from=${FROM}&amp;to=${TO}`));
  assert.ok(body.includes('/console/interaction/stats') && body.includes('互动统计'), 'the menu item');
  assert.doesNotMatch(body, /page\.interaction\.|interaction\.stats\./, 'no raw keys');
  const main = body.slice(body.indexOf('<main'), body.indexOf('</main>')).replace(/<[^>]*>/g, ' ');
  assert.doesNotMatch(main, /\b(?!xlsx\b)[A-Za-z]{3,}\b/, 'no English words in the visible text');
  const english = await get(f.supervisor, `/console/interaction/stats?from=${FROM}&to=${TO}`, 'en');
  assert.ok(english.body.includes('Answer rate') && !english.body.includes('办结率'));
  const bad = await get(f.supervisor, '/console/interaction/stats?from=2026-10-20&to=2026-09-20');
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.body.includes('结束日期不能早于开始日期'));
});
