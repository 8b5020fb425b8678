/**
 * Exchange statistics (收发统计): per unit and period, reconciled with the rows counted directly;
 * who reads which rows; bad periods; the Excel export; the console page and the 待签收 counter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, makeUnit, makeUser, problem, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { loadExcel } from '../../platform/lazy.ts';
import { insertDocument, insertReceipt } from './stats-fixture.ts';
import type { ReceiptState } from './model.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
const clock = new TestClock(shanghai('2027-01-10 10:00:00'));
let ctx: TestContext;
let units: { city: string; county: string; town: string; village: string; watch: string };
let people: { countyClerk: TestUser; countyLeader: TestUser; cityClerk: TestUser; supervisor: TestUser; nobody: TestUser };

type Item = { unitId: string; unitName: string; sent: number; received: number; signed: number; returned: number; signRate: number; avgHoursToSign: number | null; overdue: number };
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
async function stats(user: TestUser, query: string): Promise<Item[]> {
  const res = await get(user, `/api/v1/exchange/stats?${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

const HOUR = 3600_000;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [city, county, town, village, watch] = await Promise.all(
    ['市政府办公室', '县政府办公室', '城关镇人民政府', '东关村', '市监察局'].map((name) => makeUnit(ctx.platform, name)),
  );
  units = { city: city.id, county: county.id, town: town.id, village: village.id, watch: watch.id };
  people = {
    countyClerk: await makeUser(ctx.platform, units.county, ['doc_clerk']),
    countyLeader: await makeUser(ctx.platform, units.county, ['unit_leader']),
    cityClerk: await makeUser(ctx.platform, units.city, ['doc_clerk']),
    supervisor: await makeUser(ctx.platform, units.watch, ['supervisor']),
    nobody: await makeUser(ctx.platform, units.village, ['approver']),
  };

  // December 2026 and its edges: documents of the city and the county, each to the other units, in every receipt state.
  const db = ctx.platform.db;
  const states: ReceiptState[] = ['signed', 'signed', 'returned', 'delivered', 'recalled', 'signed'];
  const senders = [units.city, units.county];
  const moments = ['2026-11-30 23:59:00', '2026-12-01 00:00:00', '2026-12-09 08:30:00', '2026-12-18 16:00:00', '2026-12-31 23:59:00', '2027-01-01 00:00:00'];
  let n = 0;
  for (const moment of moments) {
    for (const sender of senders) {
      const sentAt = shanghai(moment);
      const documentId = await insertDocument(db, { sendingUnitId: sender, createdAt: sentAt });
      for (const unitId of [units.city, units.county, units.town, units.village].filter((u) => u !== sender)) {
        n += 1;
        const state = states[n % states.length];
        const chaseAt = new Date(sentAt.getTime() + 24 * HOUR);
        // Every third answer comes after the chase time.
        const answeredAt = new Date(sentAt.getTime() + (n % 3 === 0 ? 30 : (n % 5) + 1) * HOUR);
        await insertReceipt(db, { documentId, unitId, state, deliveredAt: sentAt, chaseAt, signedAt: answeredAt, returnedAt: answeredAt });
      }
    }
  }
  // A draft and a document in sign-off were never sent: they count nowhere.
  await insertDocument(db, { sendingUnitId: units.city, state: 'draft', sentAt: null, createdAt: shanghai('2026-12-05 10:00:00') });
  await insertDocument(db, { sendingUnitId: units.city, state: 'in_signoff', sentAt: null, createdAt: shanghai('2026-12-05 10:00:00') });
});
after(() => ctx?.close());

/** The figures of December 2026 counted from the rows, in JavaScript, without the statistics' SQL. */
async function countedFromRows(): Promise<Map<string, Omit<Item, 'unitName' | 'signRate' | 'avgHoursToSign'> & { signHours: number }>> {
  const from = shanghai('2026-12-01 00:00:00').getTime();
  const to = shanghai('2027-01-01 00:00:00').getTime();
  const now = clock.now().getTime();
  const within = (at: Date | string | null) => at !== null && new Date(at).getTime() >= from && new Date(at).getTime() < to;
  const docs = (await sql<{ sending_unit_id: string; sent_at: Date | null }>`select sending_unit_id, sent_at from exchange_documents`.execute(ctx.platform.db)).rows;
  const receipts = (
    await sql<{ unit_id: string; state: string; delivered_at: Date; chase_at: Date; signed_at: Date | null; returned_at: Date | null }>`
      select unit_id, state, delivered_at, chase_at, signed_at, returned_at from exchange_receipts`.execute(ctx.platform.db)
  ).rows;
  const figures = new Map<string, { unitId: string; sent: number; received: number; signed: number; returned: number; overdue: number; signHours: number }>();
  const of = (unitId: string) => figures.get(unitId) ?? figures.set(unitId, { unitId, sent: 0, received: 0, signed: 0, returned: 0, overdue: 0, signHours: 0 }).get(unitId)!;
  for (const d of docs) if (within(d.sent_at)) of(d.sending_unit_id).sent += 1;
  for (const r of receipts) {
    if (!within(r.delivered_at) || r.state === 'recalled') continue;
    const f = of(r.unit_id);
    const chase = new Date(r.chase_at).getTime();
    f.received += 1;
    if (r.state === 'signed') {
      f.signed += 1;
      f.signHours += (new Date(r.signed_at!).getTime() - new Date(r.delivered_at).getTime()) / HOUR;
      if (new Date(r.signed_at!).getTime() > chase) f.overdue += 1;
    }
    if (r.state === 'returned') {
      f.returned += 1;
      if (new Date(r.returned_at!).getTime() > chase) f.overdue += 1;
    }
    if (r.state === 'delivered' && chase < now) f.overdue += 1;
  }
  return figures;
}

test('the figures of a period reconcile with the documents and receipts counted one by one', async () => {
  const items = await stats(people.supervisor, 'from=2026-12-01&to=2026-12-31');
  const expected = await countedFromRows();
  assert.deepEqual(items.map((i) => i.unitId).sort(), [...expected.keys()].sort(), 'a supervisor reads every unit with any figure');
  for (const item of items) {
    const e = expected.get(item.unitId)!;
    assert.deepEqual(
      { sent: item.sent, received: item.received, signed: item.signed, returned: item.returned, overdue: item.overdue },
      { sent: e.sent, received: e.received, signed: e.signed, returned: e.returned, overdue: e.overdue },
      item.unitName,
    );
    assert.equal(item.signRate, e.received ? Math.round((e.signed / e.received) * 10_000) / 10_000 : 0);
    assert.ok(item.signRate >= 0 && item.signRate <= 1);
    assert.equal(item.avgHoursToSign, e.signed ? Math.round((e.signHours / e.signed) * 100) / 100 : null);
  }
  const total = items.reduce((sum, i) => sum + i.received, 0);
  // Four days inside December (00:00 on the 1st and 23:59 on the 31st included), two senders, three recipients each, one in six recalled.
  assert.equal(items.reduce((sum, i) => sum + i.sent, 0), 8);
  assert.ok(total > 0 && total < 24, String(total));
  const city = items.find((i) => i.unitId === units.city)!;
  assert.equal(city.unitName, '市政府办公室');

  // A single day at the edge: only what was delivered on 31 December (Asia/Shanghai).
  const lastDay = await stats(people.supervisor, 'from=2026-12-31&to=2026-12-31');
  assert.equal(lastDay.reduce((sum, i) => sum + i.sent, 0), 2);
});

test('a unit’s clerk and leader read their own unit’s row; another unit’s is not found; a supervisor reads any', async () => {
  const all = await stats(people.supervisor, 'from=2026-12-01&to=2026-12-31');
  const county = all.find((i) => i.unitId === units.county)!;
  for (const user of [people.countyClerk, people.countyLeader]) assert.deepEqual(await stats(user, 'from=2026-12-01&to=2026-12-31'), [county]);
  assert.deepEqual(await stats(people.countyClerk, `from=2026-12-01&to=2026-12-31&unitId=${units.county}`), [county]);
  const other = await get(people.countyClerk, `/api/v1/exchange/stats?from=2026-12-01&to=2026-12-31&unitId=${units.city}`);
  assert.equal(other.statusCode, 404, other.body);
  assert.deepEqual(await stats(people.supervisor, `from=2026-12-01&to=2026-12-31&unitId=${units.town}`), [all.find((i) => i.unitId === units.town)]);
  // A unit with nothing in the period still gets its row, in zeros.
  const quiet = await stats(people.countyClerk, 'from=2025-01-01&to=2025-01-31');
  assert.deepEqual(quiet, [{ unitId: units.county, unitName: '县政府办公室', sent: 0, received: 0, signed: 0, returned: 0, signRate: 0, avgHoursToSign: null, overdue: 0 }]);
  assert.equal((await get(people.nobody, '/api/v1/exchange/stats?from=2026-12-01&to=2026-12-31')).statusCode, 403);
});

test('bad periods are a 400 problem naming the field, in the caller’s language', async () => {
  for (const [query, field] of [
    ['from=2026-12-31&to=2026-12-01', 'to'],
    ['from=2026-13-01&to=2026-12-31', 'from'],
    ['from=2026-12-01&to=20261231', 'to'],
    ['from=2020-01-01&to=2026-12-31', 'to'],
    ['to=2026-12-31', 'from'],
  ]) {
    for (const path of ['/api/v1/exchange/stats', '/api/v1/exchange/stats.xlsx']) {
      const res = await get(people.supervisor, `${path}?${query}`);
      assert.equal(res.statusCode, 400, `${path}?${query}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      const body = problem(res).body;
      assert.ok((body.errors ?? []).some((e: { path: string }) => e.path === field), res.body);
    }
  }
  const english = await ctx.app.inject({ method: 'GET', url: '/api/v1/exchange/stats?from=2026-12-31&to=2026-12-01', headers: { ...bearer(people.supervisor), 'accept-language': 'en' } });
  assert.match(english.body, /cannot be before the start date/);
  // Exactly five years is allowed.
  assert.equal((await get(people.supervisor, '/api/v1/exchange/stats?from=2022-01-01&to=2026-12-31')).statusCode, 200);
});

test('the Excel export has Chinese headings and the same figures', async () => {
  const items = await stats(people.supervisor, 'from=2026-12-01&to=2026-12-31');
  const res = await get(people.supervisor, '/api/v1/exchange/stats.xlsx?from=2026-12-01&to=2026-12-31');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /spreadsheetml/);
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  await workbook.xlsx.load(res.rawPayload as never);
  const sheet = workbook.getWorksheet('收发统计')!;
  assert.deepEqual((sheet.getRow(2).values as unknown[]).slice(1), ['单位', '发文数', '收文数', '已签收', '已退回', '签收率', '平均签收用时（小时）', '超时签收']);
  const rows = new Map<string, unknown[]>();
  sheet.eachRow((row, n) => {
    if (n > 2) rows.set(String(row.getCell(1).value), (row.values as unknown[]).slice(1));
  });
  for (const item of items) assert.deepEqual(rows.get(item.unitName)?.slice(1, 6), [item.sent, item.received, item.signed, item.returned, item.signRate]);
  assert.equal(rows.get('合计')?.[2], items.reduce((sum, i) => sum + i.received, 0));
  // A clerk's export holds only their unit.
  const own = await get(people.countyClerk, '/api/v1/exchange/stats.xlsx?from=2026-12-01&to=2026-12-31');
  const ownBook = new Workbook();
  await ownBook.xlsx.load(own.rawPayload as never);
  assert.equal(ownBook.getWorksheet('收发统计')!.rowCount, 4, 'period, headings, the county, total');
});

test('the console page shows the table and the export link in Chinese; the clerk’s home counts unsigned documents', async () => {
  const page = await get(people.supervisor, '/console/exchange/stats?from=2026-12-01&to=2026-12-31');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('收发统计') && page.body.includes('县政府办公室') && page.body.includes('签收率'));
  assert.ok(page.body.includes('/api/v1/exchange/stats.xlsx?from=2026-12-01&amp;to=2026-12-31'));
  assert.doesNotMatch(page.body, /page\.exchange\.|exchange\.stats\./, 'no raw keys');
  const main = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>')).replace(/<[^>]*>/g, ' ');
  assert.doesNotMatch(main, /\b(?!xlsx\b)[A-Za-z]{3,}\b/, 'no English words in the visible text');
  const bad = await get(people.supervisor, '/console/exchange/stats?from=2026-12-31&to=2026-12-01');
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.body.includes('结束日期不能早于开始日期'));

  // Two documents of January wait for the county's signature.
  for (let i = 0; i < 2; i++) {
    const documentId = await insertDocument(ctx.platform.db, { sendingUnitId: units.city, createdAt: clock.now() });
    await insertReceipt(ctx.platform.db, { documentId, unitId: units.county, deliveredAt: clock.now(), chaseAt: new Date(clock.now().getTime() + 24 * HOUR) });
  }
  const expected = Number((await sql<{ n: number }>`select count(*)::int as n from exchange_receipts where unit_id = ${units.county} and state = 'delivered'`.execute(ctx.platform.db)).rows[0].n);
  assert.ok(expected >= 2);
  const home = await get(people.countyClerk, '/console');
  assert.equal(home.statusCode, 200);
  const counters = home.body.slice(home.body.indexOf('id="dashboard-counters"'));
  const counter = /<a[^>]*href="\/console\/exchange\/inbox"[^>]*>([\s\S]*?)<\/a>/.exec(counters.slice(0, counters.indexOf('</ul>')));
  assert.ok(counter, 'the counter links to the inbox');
  assert.ok(counter[1].includes('待签收公文') && counter[1].includes(String(expected)), counter[1]);
});
