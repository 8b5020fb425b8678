/**
 * Document exchange under supervision (电子监察), through supervision's own routes: receipts not
 * signed for by their chase day and documents waiting too long for sign-off get yellow and red
 * cards from the scan (for the receiving unit, and for the sending unit's step), show on the
 * monitor's open counts and count in the statistics like approval steps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { draftWithSignoff, insertDocument, insertReceipt, signReceipt } from './stats-fixture.ts';
import { DOCUMENT_SUBJECT, RECEIPT_SUBJECT } from './supervised-subject.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
// The accounts' tokens are made at the end of the month and stay valid while the clock is set back.
const clock = new TestClock(shanghai('2026-12-31 18:00:00'));
let ctx: TestContext;
let units: { city: string; county: string; town: string; watch: string };
let supervisor: TestUser;
let cityClerk: TestUser;

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser, url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: bearer(user) });

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [city, county, town, watch] = await Promise.all([makeUnit(ctx.platform, '市政府办公室'), makeUnit(ctx.platform, '县政府办公室'), makeUnit(ctx.platform, '城关镇'), makeUnit(ctx.platform, '市监察局')]);
  units = { city: city.id, county: county.id, town: town.id, watch: watch.id };
  supervisor = await makeUser(ctx.platform, units.watch, ['supervisor']);
  cityClerk = await makeUser(ctx.platform, units.city, ['doc_clerk']);
});
after(() => ctx?.close());

async function scan() {
  const res = await post(supervisor, '/api/v1/supervision/scan', {});
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { yellow: number; red: number };
}

type Card = { subjectType: string; caseId: string; stepKey: string | null; unitId: string; color: string; reason: string; receiptNo: string | null; link: string | null; itemName: string | null };
async function exchangeCards() {
  const res = await get(supervisor, '/api/v1/supervision/cards?limit=200');
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Card[]).filter((c) => c.subjectType === RECEIPT_SUBJECT || c.subjectType === DOCUMENT_SUBJECT);
}

test('unsigned receipts and documents waiting for sign-off get cards, monitor figures and statistics through supervision', async () => {
  const types = ctx.platform.modules.subjects.map((s) => s.type);
  assert.ok(types.includes(RECEIPT_SUBJECT) && types.includes(DOCUMENT_SUBJECT), types.join());

  clock.set(shanghai('2026-12-21 09:00:00'));
  // Monday 21 December 2026, 09:00: the city office sends a document to the county and the town,
  // chased on Tuesday at 09:00 (one working day); its clerk hands another document to sign-off,
  // where 签发 (the leader, one working day) is due on Tuesday.
  const sentAt = clock.now();
  const documentId = await insertDocument(ctx.platform.db, { sendingUnitId: units.city, createdAt: sentAt, title: '关于做好冬季安全生产工作的通知' });
  const chaseAt = shanghai('2026-12-22 09:00:00');
  const countyReceipt = await insertReceipt(ctx.platform.db, { documentId, unitId: units.county, deliveredAt: sentAt, chaseAt });
  const townReceipt = await insertReceipt(ctx.platform.db, { documentId, unitId: units.town, deliveredAt: sentAt, chaseAt });
  const draftId = await draftWithSignoff(ctx.platform, units.city, [units.county]);
  const tasks = await get(cityClerk, '/api/v1/tasks?mine=true');
  assert.equal(tasks.statusCode, 200, tasks.body);
  const draftTask = tasks.json().items.find((t: { caseId: string; stepKey: string }) => t.caseId === draftId && t.stepKey === 'draft');
  assert.ok(draftTask, tasks.body);
  const handed = await post(cityClerk, `/api/v1/tasks/${draftTask.id}/complete`, { action: 'approve', opinion: '请审签。' });
  assert.equal(handed.statusCode, 200, handed.body);
  assert.deepEqual(await scan(), { yellow: 0, red: 0 }, 'nothing is at risk on the first morning');

  // Tuesday 16:30: an hour of working time left on the chase day and on 签发's due day: yellow.
  clock.set(shanghai('2026-12-22 16:30:00'));
  assert.deepEqual(await scan(), { yellow: 3, red: 0 });
  let cards = await exchangeCards();
  const receiptCard = cards.find((c) => c.caseId === townReceipt);
  assert.deepEqual(
    receiptCard && { color: receiptCard.color, unitId: receiptCard.unitId, stepKey: receiptCard.stepKey, link: receiptCard.link, reason: receiptCard.reason, title: receiptCard.itemName },
    { color: 'yellow', unitId: units.town, stepKey: 'signfor', link: `/console/exchange/documents/${documentId}`, reason: 'deadline', title: '关于做好冬季安全生产工作的通知' },
    JSON.stringify(cards),
  );
  assert.match(receiptCard!.receiptNo ?? '', /〔2026〕\d+号$/, 'the card quotes the document number');
  const draftCard = cards.find((c) => c.caseId === draftId);
  assert.deepEqual(draftCard && [draftCard.subjectType, draftCard.stepKey, draftCard.unitId, draftCard.color, draftCard.link], [DOCUMENT_SUBJECT, 'sign', units.city, 'yellow', `/console/exchange/documents/${draftId}`]);

  // The monitor counts the town's and the county's unsigned receipts and the city's document in sign-off.
  const monitor = await get(supervisor, '/api/v1/supervision/monitor');
  assert.equal(monitor.statusCode, 200, monitor.body);
  const board = monitor.json();
  const rowOf = (unitId: string) => board.openCases.find((u: { unitId: string }) => u.unitId === unitId);
  assert.equal(rowOf(units.town)?.subjects?.[RECEIPT_SUBJECT]?.delivered, 1, monitor.body);
  assert.equal(rowOf(units.county)?.subjects?.[RECEIPT_SUBJECT]?.delivered, 1);
  assert.equal(rowOf(units.city)?.subjects?.[DOCUMENT_SUBJECT]?.in_signoff, 1);
  assert.ok(board.states.some((s: { subjectType: string; state: string }) => s.subjectType === RECEIPT_SUBJECT && s.state === 'delivered'));
  assert.ok(board.longestWaiting.some((s: { caseId: string }) => s.caseId === countyReceipt), monitor.body);
  const page = await get(supervisor, '/console/supervision');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /待签收/, 'the column of unsigned receipts is labelled by the module');
  const cell = await get(supervisor, `/console/supervision/cases?unitId=${units.town}&subjectType=${RECEIPT_SUBJECT}&state=delivered`);
  assert.equal(cell.statusCode, 200, cell.body);
  assert.ok(cell.body.includes(`/console/exchange/documents/${documentId}`), 'the cell lists the receipt with a link to its document');

  // The county signs for it before the end of its chase day; Wednesday the town's receipt and 签发 are red.
  await signReceipt(ctx.platform.db, countyReceipt, shanghai('2026-12-22 17:00:00'));
  clock.set(shanghai('2026-12-23 10:00:00'));
  assert.deepEqual(await scan(), { yellow: 0, red: 2 });
  assert.deepEqual(await scan(), { yellow: 0, red: 0 }, 'a second scan issues nothing');
  cards = await exchangeCards();
  assert.deepEqual(cards.map((c) => [c.caseId, c.color]).sort(), [[countyReceipt, 'yellow'], [draftId, 'red'], [townReceipt, 'red']].sort());

  // The town signs on Wednesday (late: its card is red already); the statistics count both receipts.
  await signReceipt(ctx.platform.db, townReceipt, shanghai('2026-12-23 11:00:00'));
  assert.deepEqual(await scan(), { yellow: 0, red: 0 });
  const stats = await get(supervisor, '/api/v1/supervision/stats?from=2026-12-21&to=2026-12-31&groupBy=unit');
  assert.equal(stats.statusCode, 200, stats.body);
  const itemOf = (unitId: string) => stats.json().items.find((i: { unitId: string }) => i.unitId === unitId);
  assert.deepEqual({ finished: itemOf(units.county)?.finished, onTime: itemOf(units.county)?.onTime, overdue: itemOf(units.county)?.overdue }, { finished: 1, onTime: 1, overdue: 0 }, stats.body);
  assert.deepEqual({ finished: itemOf(units.town)?.finished, onTime: itemOf(units.town)?.onTime, overdue: itemOf(units.town)?.overdue }, { finished: 1, onTime: 0, overdue: 1 }, stats.body);
  const steps = await get(supervisor, `/api/v1/supervision/stats/steps?from=2026-12-21&to=2026-12-31&unitId=${units.town}&outcome=overdue`);
  assert.equal(steps.statusCode, 200, steps.body);
  assert.deepEqual(
    steps.json().items.map((s: { caseId: string; stepKey: string }) => [s.caseId, s.stepKey]),
    [[townReceipt, 'signfor']],
  );
  const monitorAfter = (await get(supervisor, '/api/v1/supervision/monitor')).json();
  assert.equal(monitorAfter.openCases.find((u: { unitId: string }) => u.unitId === units.town)?.subjects?.[RECEIPT_SUBJECT]?.delivered ?? 0, 0, 'signed receipts are no longer open');
});
