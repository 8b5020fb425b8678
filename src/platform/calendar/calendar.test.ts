import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildApp } from '../../app.ts';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { addWorkingDays, countWorkingDays } from './index.ts';
import type { CalendarTables } from './service.ts';

let ctx: TestContext;
let sysadmin: TestUser;
let approver: TestUser;
let auditor: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  sysadmin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  approver = await makeUser(ctx.platform, unit.id, ['approver']);
  auditor = await makeUser(ctx.platform, unit.id, ['auditor']);
});
after(() => ctx.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });
const put = (url: string, payload: unknown, user: TestUser | null = sysadmin) =>
  ctx.app.inject({ method: 'PUT', url, payload: payload as object, headers: user ? bearer(user) : {} });
const del = (url: string, user: TestUser | null = sysadmin) => ctx.app.inject({ method: 'DELETE', url, headers: user ? bearer(user) : {} });

async function auditRecords(objectId: string) {
  const res = await get(`/api/v1/audit?action=calendar.*&objectId=${objectId}&limit=200`, bearer(auditor));
  assert.equal(res.statusCode, 200);
  return res.json().items as Array<{ action: string; actorName: string; details: Record<string, unknown> }>;
}

const specialRows = () => ctx.platform.db.withTables<CalendarTables>().selectFrom('calendar_days').selectAll().orderBy('date').execute();

test('GET /calendar/:year lists the official 2025 and 2026 days; a year without data says so', async () => {
  const y2026 = await get('/api/v1/calendar/2026');
  assert.equal(y2026.statusCode, 200);
  const body = y2026.json();
  assert.equal(body.year, 2026);
  assert.equal(body.hasData, true);
  assert.match(body.source, /2026年部分节假日安排/);
  assert.equal(body.items.length, 33 + 6);
  assert.deepEqual(
    body.items.filter((d: { kind: string }) => d.kind === 'workday').map((d: { date: string }) => d.date),
    ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  );
  const national = body.items.find((d: { date: string }) => d.date === '2026-10-01');
  assert.equal(national.kind, 'holiday');
  assert.equal(national.name, '国庆节');
  assert.ok(national.updatedAt);

  const y2025 = (await get('/api/v1/calendar/2025')).json();
  assert.equal(y2025.items.length, 28 + 5);
  assert.deepEqual(y2025.items[0], { ...y2025.items[0], date: '2025-01-01', kind: 'holiday', name: '元旦' });

  const y2028 = (await get('/api/v1/calendar/2028')).json();
  assert.deepEqual(y2028, { year: 2028, hasData: false, source: null, items: [] });

  for (const bad of ['abc', '1999', '2100', '20261', '2026.5']) {
    const res = await get(`/api/v1/calendar/${bad}`);
    assert.equal(problem(res).status, 400, bad);
    assert.equal(problem(res).body.code, 'VALIDATION_FAILED', bad);
  }
});

test('GET /calendar/add: National Day 2026 and its make-up Saturday, Spring Festival, day 0, backwards', async () => {
  const cases: Array<[string, number, string]> = [
    ['2026-09-30', 1, '2026-10-08'],
    ['2026-09-30', 3, '2026-10-10'],
    ['2026-09-30', 4, '2026-10-12'],
    ['2026-02-13', 2, '2026-02-24'],
    ['2026-03-07', 0, '2026-03-07'],
    ['2026-10-12', -1, '2026-10-10'],
    ['2026-10-08', -1, '2026-09-30'],
    ['2025-09-30', 1, '2025-10-09'],
  ];
  for (const [from, days, expected] of cases) {
    const res = await get(`/api/v1/calendar/add?from=${from}&days=${days}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { date: expected, from, days, warnings: [] }, `${from} + ${days}`);
  }
  // A long time limit runs past the first window read and is read again. 2025 and 2026 have
  // 248 working days each; the 232nd of 2026 is the 16th before its last, 31 December.
  const long = (await get('/api/v1/calendar/add?from=2025-01-01&days=480')).json();
  assert.equal(long.date, '2026-12-09');
  assert.deepEqual(long.warnings, []);
  const back = (await get(`/api/v1/calendar/count?from=2025-01-01&to=${long.date}`)).json();
  assert.equal(back.workingDays, 480);
});

test('clock stops push a deadline back and are excluded from counts', async () => {
  const one = await get('/api/v1/calendar/add?from=2026-03-02&days=5&stops=2026-03-04/2026-03-05');
  assert.equal(one.json().date, '2026-03-11');
  const two = await get('/api/v1/calendar/add?from=2026-03-02&days=5&stops=2026-03-04/2026-03-04&stops=2026-03-06/2026-03-06');
  assert.equal(two.json().date, '2026-03-11');
  const count = await get('/api/v1/calendar/count?from=2026-03-02&to=2026-03-11&stops=2026-03-04/2026-03-05');
  assert.deepEqual(count.json(), { from: '2026-03-02', to: '2026-03-11', workingDays: 5, warnings: [] });
  const across = await get('/api/v1/calendar/count?from=2026-09-30&to=2026-10-12&stops=2026-10-05/2026-10-09');
  assert.equal(across.json().workingDays, 2);
  const backwards = await get('/api/v1/calendar/count?from=2026-10-08&to=2026-09-30');
  assert.equal(backwards.json().workingDays, -1);
});

test('a computation into a year without holiday data warns in the response, in the caller language', async () => {
  const zh = await get('/api/v1/calendar/add?from=2027-12-28&days=5');
  assert.equal(zh.statusCode, 200);
  assert.equal(zh.json().date, '2028-01-04');
  assert.deepEqual(
    zh.json().warnings.map((w: { code: string; year: number }) => [w.code, w.year]),
    [
      ['CALENDAR_NO_DATA', 2027],
      ['CALENDAR_NO_DATA', 2028],
    ],
  );
  assert.match(zh.json().warnings[0].message, /2027 年的法定节假日安排尚未录入/);
  const en = await get('/api/v1/calendar/count?from=2026-12-01&to=2027-01-15', { 'accept-language': 'en' });
  assert.equal(en.statusCode, 200);
  assert.equal(en.json().warnings.length, 1);
  assert.equal(en.json().warnings[0].year, 2027);
  assert.match(en.json().warnings[0].message, /holidays of 2027 have not been entered/);
  // Only the days looked at matter: from 31 Dec 2024 forward touches 2025 only.
  const edge = await get('/api/v1/calendar/add?from=2024-12-31&days=1');
  assert.deepEqual(edge.json(), { date: '2025-01-02', from: '2024-12-31', days: 1, warnings: [] });
});

test('the warning is also logged', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await buildApp({ config: ctx.config, database: ctx.database, clock: ctx.clock, logger: { level: 'warn', stream } });
  try {
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/v1/calendar/add?from=2028-03-01&days=3' });
    assert.equal(res.statusCode, 200);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'working days computed for years without holiday data');
    assert.ok(logged, lines.join('\n'));
    assert.equal(logged.level, 40);
    assert.deepEqual(logged.years, [2028]);
    lines.length = 0;
    await app.inject({ method: 'GET', url: '/api/v1/calendar/add?from=2026-03-01&days=3' });
    assert.equal(lines.length, 0, 'no warning inside years with data');
  } finally {
    await app.close();
  }
});

test('bad input on add and count is a 400 problem naming the field, never a 500', async () => {
  const bad: Array<[string, string]> = [
    ['/api/v1/calendar/add?from=2026-02-30&days=1', 'from'],
    ['/api/v1/calendar/add?from=2026-2-3&days=1', 'querystring.from'],
    ['/api/v1/calendar/add?from=&days=1', 'querystring.from'],
    ['/api/v1/calendar/add?from=1999-12-31&days=1', 'from'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1001', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=-1001', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=99999999999999999999', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1.5', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=abc', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03', 'querystring.days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1&extra=1', 'querystring.extra'],
    ['/api/v1/calendar/add?from=2099-06-01&days=1000', 'days'],
    ['/api/v1/calendar/add?from=2000-03-01&days=-1000', 'days'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1&stops=2026-02-05', 'querystring.stops.0'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1&stops=2026-02-06/2026-02-05', 'stops.0'],
    ['/api/v1/calendar/add?from=2026-02-03&days=1&stops=2026-02-30/2026-03-05', 'stops.0'],
    ['/api/v1/calendar/count?from=2026-02-03&to=2026-02-31', 'to'],
    ['/api/v1/calendar/count?from=2026-02-03', 'querystring.to'],
    ['/api/v1/calendar/count?from=x&to=2026-02-03', 'querystring.from'],
    ['/api/v1/calendar/days/2026-02-30', 'date'],
    ['/api/v1/calendar/days/yesterday', 'params.date'],
  ];
  for (const [url, path] of bad) {
    const res = await get(url, { 'accept-language': 'en' });
    const p = problem(res);
    assert.equal(p.status, 400, `${url}: ${res.body}`);
    assert.match(String(p.type), /application\/problem\+json/);
    assert.equal(p.body.code, 'VALIDATION_FAILED', url);
    assert.ok(p.body.errors?.some((e) => e.path === path), `${url}: ${JSON.stringify(p.body.errors)}`);
  }
  const feb30 = problem(await get('/api/v1/calendar/add?from=2026-02-30&days=1', { 'accept-language': 'en' }));
  assert.match(feb30.body.errors![0].message, /"2026-02-30" is not a calendar date/);
  const tooMany = Array.from({ length: 51 }, () => 'stops=2026-02-05/2026-02-05').join('&');
  assert.equal((await get(`/api/v1/calendar/add?from=2026-02-03&days=1&${tooMany}`)).statusCode, 400);
});

test('GET /calendar/days/:date describes one date', async () => {
  const res = await get('/api/v1/calendar/days/2026-10-10');
  assert.deepEqual(res.json(), { date: '2026-10-10', working: true, weekend: true, kind: 'workday', name: '国庆节调休上班', hasData: true });
  const plain = await get('/api/v1/calendar/days/2028-05-01');
  assert.deepEqual(plain.json(), { date: '2028-05-01', working: true, weekend: false, kind: null, name: null, hasData: false });
});

test('PUT /calendar/days/:date: sysadmin only, changes computations at once, audited once per change', async () => {
  const url = '/api/v1/calendar/days/2027-01-01';
  const anonymous = await put(url, { kind: 'holiday', name: '元旦' }, null);
  assert.equal(problem(anonymous).status, 401);
  const denied = await put(url, { kind: 'holiday', name: '元旦' }, approver);
  assert.equal(problem(denied).status, 403);
  assert.equal(problem(denied).body.code, 'FORBIDDEN');
  assert.equal((await get('/api/v1/calendar/2027')).json().items.length, 0, 'nothing written');

  assert.equal((await get('/api/v1/calendar/add?from=2026-12-31&days=1')).json().date, '2027-01-01');
  const res = await put(url, { kind: 'holiday', name: ' 元旦 ' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().date, '2027-01-01');
  assert.equal(res.json().kind, 'holiday');
  assert.equal(res.json().name, '元旦');
  assert.equal((await get('/api/v1/calendar/add?from=2026-12-31&days=1')).json().date, '2027-01-04');
  assert.deepEqual((await get('/api/v1/calendar/2027')).json().items.map((d: { date: string }) => d.date), ['2027-01-01']);

  const again = await put(url, { kind: 'holiday', name: '元旦' });
  assert.equal(again.statusCode, 200);
  const renamed = await put(url, { kind: 'holiday', name: '元旦节' });
  assert.equal(renamed.json().name, '元旦节');

  const records = await auditRecords('2027-01-01');
  assert.equal(records.length, 2, 'the unchanged PUT wrote no record');
  const [second, first] = records;
  assert.equal(first.action, 'calendar.day.set');
  assert.equal(first.actorName, sysadmin.username);
  assert.deepEqual(first.details, { kind: 'holiday', name: '元旦', previous: null });
  assert.deepEqual(second.details, { kind: 'holiday', name: '元旦节', previous: { kind: 'holiday', name: '元旦' } });
});

test('PUT refuses bad input and writes nothing', async () => {
  const before = await specialRows();
  const bad: Array<[string, unknown, number]> = [
    ['/api/v1/calendar/days/2027-02-06', { kind: 'festival', name: 'x' }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 'holiday' }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 'holiday', name: '' }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 'holiday', name: '   ' }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 'holiday', name: 'x'.repeat(51) }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 'holiday', name: 'x', extra: true }, 400],
    ['/api/v1/calendar/days/2027-02-06', { kind: 1, name: 'x' }, 400],
    ['/api/v1/calendar/days/2027-02-06', [], 400],
    ['/api/v1/calendar/days/2027-02-30', { kind: 'holiday', name: 'x' }, 400],
    ['/api/v1/calendar/days/2100-01-01', { kind: 'holiday', name: 'x' }, 400],
    ['/api/v1/calendar/days/2027-2-6', { kind: 'holiday', name: 'x' }, 400],
    // Friday 5 February 2027 is a working day already.
    ['/api/v1/calendar/days/2027-02-05', { kind: 'workday', name: '调休' }, 400],
  ];
  for (const [url, payload, status] of bad) {
    const res = await put(url, payload);
    assert.equal(problem(res).status, status, `${url} ${JSON.stringify(payload)}: ${res.body}`);
    assert.equal(problem(res).body.code, 'VALIDATION_FAILED');
  }
  const kind = problem(await put('/api/v1/calendar/days/2027-02-05', { kind: 'workday', name: '调休' }));
  assert.ok(kind.body.errors?.some((e) => e.path === 'kind'));
  const malformed = await ctx.app.inject({ method: 'PUT', url: '/api/v1/calendar/days/2027-02-06', headers: { ...bearer(sysadmin), 'content-type': 'application/json' }, payload: '{"kind":' });
  assert.equal(problem(malformed).body.code, 'MALFORMED_REQUEST');
  assert.deepEqual(await specialRows(), before);
  // A make-up working day on a Saturday is fine.
  assert.equal((await put('/api/v1/calendar/days/2027-02-06', { kind: 'workday', name: '春节调休上班' })).statusCode, 200);
});

test('DELETE /calendar/days/:date makes the day ordinary; on an ordinary day it is an idempotent 204', async () => {
  assert.equal((await put('/api/v1/calendar/days/2027-05-03', { kind: 'holiday', name: '劳动节' })).statusCode, 200);
  assert.equal(problem(await del('/api/v1/calendar/days/2027-05-03', approver)).status, 403);
  assert.equal(problem(await del('/api/v1/calendar/days/2027-05-03', null)).status, 401);
  assert.equal((await get('/api/v1/calendar/days/2027-05-03')).json().kind, 'holiday', 'still there');

  const res = await del('/api/v1/calendar/days/2027-05-03');
  assert.equal(res.statusCode, 204);
  assert.deepEqual((await get('/api/v1/calendar/days/2027-05-03')).json(), { date: '2027-05-03', working: true, weekend: false, kind: null, name: null, hasData: false });
  const again = await del('/api/v1/calendar/days/2027-05-03');
  assert.equal(again.statusCode, 204);
  const records = await auditRecords('2027-05-03');
  assert.deepEqual(
    records.map((r) => r.action),
    ['calendar.day.clear', 'calendar.day.set'],
    'the second DELETE changed nothing and recorded nothing',
  );
  assert.deepEqual(records[0].details, { previous: { kind: 'holiday', name: '劳动节' } });
  assert.equal(problem(await del('/api/v1/calendar/days/2027-02-30')).status, 400);

  // An official day can be corrected too.
  assert.equal((await del('/api/v1/calendar/days/2026-10-10')).statusCode, 204);
  assert.equal((await get('/api/v1/calendar/add?from=2026-09-30&days=3')).json().date, '2026-10-12');
  assert.equal((await put('/api/v1/calendar/days/2026-10-10', { kind: 'workday', name: '国庆节调休上班' })).statusCode, 200);
  assert.equal((await get('/api/v1/calendar/add?from=2026-09-30&days=3')).json().date, '2026-10-10');
});

test('two edits of one day at once both succeed, in one order, each audited against the value it replaced', async () => {
  const url = '/api/v1/calendar/days/2027-10-01';
  const [a, b] = await Promise.all([put(url, { kind: 'holiday', name: '国庆节甲' }), put(url, { kind: 'holiday', name: '国庆节乙' })]);
  assert.equal(a.statusCode, 200);
  assert.equal(b.statusCode, 200);
  const final = (await get('/api/v1/calendar/days/2027-10-01')).json().name;
  const [last, first] = await auditRecords('2027-10-01');
  assert.equal(first.details.previous, null);
  assert.deepEqual(last.details.previous, { kind: 'holiday', name: first.details.name });
  assert.equal(last.details.name, final);
});

test('years: marking a year entered stops its warnings; sysadmin only; audited', async () => {
  const listed = (await get('/api/v1/calendar/years')).json();
  assert.deepEqual(
    listed.items.map((y: { year: number }) => y.year),
    [2025, 2026],
  );
  assert.equal(listed.nextCursor, null);
  assert.equal((await get('/api/v1/calendar/add?from=2027-03-01&days=1')).json().warnings.length, 1);

  assert.equal(problem(await put('/api/v1/calendar/years/2027', { source: '通知' }, approver)).status, 403);
  assert.equal(problem(await put('/api/v1/calendar/years/2027', { source: '' })).status, 400);
  assert.equal(problem(await put('/api/v1/calendar/years/2027', { source: '  ' })).status, 400);
  assert.equal(problem(await put('/api/v1/calendar/years/2100', { source: '通知' })).status, 400);
  assert.equal(problem(await put('/api/v1/calendar/years/2027', { source: '通知', year: 2027 })).status, 400);
  const marked = await put('/api/v1/calendar/years/2027', { source: '国务院办公厅关于2027年部分节假日安排的通知' });
  assert.equal(marked.statusCode, 200, marked.body);
  assert.equal(marked.json().year, 2027);
  assert.deepEqual((await get('/api/v1/calendar/add?from=2027-03-01&days=1')).json().warnings, []);
  assert.equal((await get('/api/v1/calendar/2027')).json().hasData, true);
  assert.equal((await get('/api/v1/calendar/days/2027-03-01')).json().hasData, true);

  assert.equal(problem(await del('/api/v1/calendar/years/2027', approver)).status, 403);
  assert.equal((await del('/api/v1/calendar/years/2027')).statusCode, 204);
  assert.equal((await del('/api/v1/calendar/years/2027')).statusCode, 204);
  assert.equal((await get('/api/v1/calendar/add?from=2027-03-01&days=1')).json().warnings.length, 1);
  assert.deepEqual(
    (await auditRecords('2027')).map((r) => r.action),
    ['calendar.year.clear', 'calendar.year.set'],
  );
});

test('other modules compute through the exported service with the platform database', async () => {
  const due = await addWorkingDays(ctx.platform.db, '2026-09-30', 3);
  assert.deepEqual(due, { date: '2026-10-10', warnings: [] });
  const withStop = await addWorkingDays(ctx.platform.db, '2026-09-30', 3, { stops: [{ start: '2026-10-08', end: '2026-10-08' }] });
  assert.equal(withStop.date, '2026-10-12');
  const elapsed = await countWorkingDays(ctx.platform.db, '2026-02-13', '2026-02-28');
  assert.deepEqual(elapsed, { workingDays: 6, warnings: [] });
  const unknown = await countWorkingDays(ctx.platform.db, '2028-01-01', '2028-01-31');
  assert.deepEqual(unknown.warnings, [{ code: 'CALENDAR_NO_DATA', year: 2028 }]);
  await assert.rejects(addWorkingDays(ctx.platform.db, '2026-02-30', 1), (error: { code?: string }) => error.code === 'VALIDATION_FAILED');
  await assert.rejects(addWorkingDays(ctx.platform.db, '2026-02-03', 5000), (error: { code?: string }) => error.code === 'VALIDATION_FAILED');
});

test('the calendar routes are in the OpenAPI document', async () => {
  const doc = (await get('/api/docs/json')).json();
  for (const path of ['/api/v1/calendar/{year}', '/api/v1/calendar/add', '/api/v1/calendar/count', '/api/v1/calendar/days/{date}', '/api/v1/calendar/years']) {
    assert.ok(doc.paths[path], path);
  }
  assert.ok(doc.paths['/api/v1/calendar/days/{date}'].put);
  assert.ok(doc.paths['/api/v1/calendar/days/{date}'].delete);
});

test('within one transaction the calendar is read once, and an edit in it is seen at once', async () => {
  const { inTransaction, SYSTEM_ACTOR } = await import('../db/work.ts');
  const { setDay } = await import('./service.ts');
  const undo = new Error('roll back the test holiday');
  let seen: string[] = [];
  // Mon 2027-03-01 + 1 working day is Tue 2027-03-02, until that day becomes a holiday.
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      const first = (await addWorkingDays(work.tx, '2027-03-01', 1)).date;
      await setDay(work, '2027-03-02', { kind: 'holiday', name: '测试假日' }, ctx.clock.now());
      seen = [first, (await addWorkingDays(work.tx, '2027-03-01', 1)).date];
      throw undo;
    }),
    (error) => error === undo,
  );
  assert.deepEqual(seen, ['2027-03-02', '2027-03-03']);
  assert.equal((await addWorkingDays(ctx.platform.db, '2027-03-01', 1)).date, '2027-03-02', 'rolled back with its transaction');
});
