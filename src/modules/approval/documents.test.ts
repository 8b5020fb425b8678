import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, loginSession, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { sql } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { createPublicAccount, createApiToken } from '../../platform/iam/index.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { fileBody, multipartBody, SAMPLES } from '../../platform/files/testing.ts';
import type { ApprovalTables } from './model.ts';
import { chineseDate } from './documents/pdf.ts';
import { publishTestItem } from './testing.ts';

const clock = new TestClock(new Date('2026-12-30T00:00:00Z'));
const MONDAY = new Date('2026-11-02T02:00:00Z'); // Monday 10:00 in Shanghai
const TUESDAY = new Date('2026-11-03T03:00:00Z');
const LIMIT = 300 * 1024;

let ctx: TestContext;
let units: { window: string; review: string; other: string };
let people: Record<'clerk' | 'reviewer' | 'stranger' | 'admin' | 'otherAdmin', TestUser>;
let citizen: TestUser;
let citizen2: TestUser;
let itemId: string;

const q = () => ctx.platform.db.withTables<ApprovalTables>();
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(user) });

let sequence = 0;
function idNumber(): string {
  sequence += 1;
  const first17 = `110105198${sequence % 10}0101${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
const phone = () => `138${String(crypto.randomInt(100_000_000)).padStart(8, '0')}`;

async function publicUser(name: string): Promise<TestUser> {
  const row = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { kind: 'person', phone: phone(), password: 'Citizen#2026', name }));
  const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, row.id, 'test', 30));
  return { id: row.id, username: row.username, password: 'Citizen#2026', unitId: '', token };
}

async function upload(user: TestUser, name = '材料.pdf', content: Buffer = SAMPLES.pdf()): Promise<string> {
  const body = fileBody(name, content);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, ...bearer(user) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function submit(): Promise<{ id: string; receiptNo: string }> {
  const res = await post(citizen, '/api/v1/approval/applications', {
    itemId,
    channel: 'online',
    applicant: { kind: 'person', name: '张三', idNumber: idNumber(), phone: phone() },
    form: {},
    materials: [{ materialKey: 'application_form', fileId: await upload(citizen) }],
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function act(user: TestUser, caseId: string, stepKey: string, body: Record<string, unknown>) {
  const tasks = await get(user, '/api/v1/tasks?mine=true&limit=200');
  const task = (tasks.json().items as Array<{ id: string; caseId: string; stepKey: string }>).find((t) => t.caseId === caseId && t.stepKey === stepKey);
  assert.ok(task, `${stepKey} task`);
  const res = await post(user, `/api/v1/tasks/${task.id}/complete`, body);
  assert.equal(res.statusCode, 200, res.body);
}

const notice = (id: string, kind: string) => `/api/v1/approval/applications/${id}/notices/${kind}.pdf`;
const certificate = (id: string) => `/api/v1/approval/applications/${id}/certificate.pdf`;

/** The text of every page, as a reader extracts it (through the font's ToUnicode map). */
async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  const pages = doc.numPages;
  await doc.destroy();
  // Every document of these cases fits on one page.
  assert.equal(pages, 1);
  return text.replace(/\s+/g, '');
}

/** A PDF response as the contract says: the type, a Chinese file name (RFC 5987), the font subset, the size. */
function assertPdf(res: Awaited<ReturnType<typeof get>>, name: RegExp) {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/pdf');
  const disposition = String(res.headers['content-disposition']);
  assert.match(disposition, /filename\*=UTF-8''/);
  assert.match(decodeURIComponent(disposition.split("UTF-8''")[1]), name);
  const bytes = res.rawPayload;
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(bytes.length < LIMIT, `${bytes.length} bytes`);
  // A subset (six capital letters and +) of the registry font is embedded: no system font is needed.
  assert.match(bytes.toString('latin1'), /\/BaseFont \/[A-Z]{6}\+NotoSerifSC-Regular/);
  return bytes;
}

async function documentRows(id: string) {
  return q().selectFrom('approval_documents').selectAll().where('application_id', '=', id).orderBy('kind').execute();
}

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [w, r, o] = await Promise.all([makeUnit(ctx.platform, '云川市政务服务中心'), makeUnit(ctx.platform, '云川市市场监督管理局'), makeUnit(ctx.platform, '其他局')]);
  units = { window: w.id, review: r.id, other: o.id };
  people = {
    clerk: await makeUser(ctx.platform, w.id, ['window_clerk']),
    reviewer: await makeUser(ctx.platform, r.id, ['unit_leader']),
    stranger: await makeUser(ctx.platform, o.id, ['approver', 'unit_leader', 'window_clerk']),
    admin: await makeUser(ctx.platform, r.id, ['unit_admin']),
    otherAdmin: await makeUser(ctx.platform, o.id, ['unit_admin']),
  };
  citizen = await publicUser('citizen');
  citizen2 = await publicUser('citizen');
  itemId = (
    await publishTestItem(ctx.platform, {
      unitId: units.review,
      materials: [
        { key: 'application_form', name: '食品经营许可申请书', required: true, copies: 1, allowPending: false },
        { key: 'site_plan', name: '经营场所平面图', required: false, copies: 1, allowPending: false },
      ],
      process: {
        stages: [
          { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
          { key: 'decide', name: '审查决定', unitId: units.review, role: 'unit_leader', days: 5 },
        ],
      },
    })
  ).id;
});
after(() => ctx.close());

test('Chinese dates as official documents write them', () => {
  assert.equal(chineseDate('2026-12-07'), '二〇二六年十二月七日');
  assert.equal(chineseDate('2026-11-02'), '二〇二六年十一月二日');
  assert.equal(chineseDate('2030-10-20'), '二〇三〇年十月二十日');
  assert.equal(chineseDate('2027-01-31'), '二〇二七年一月三十一日');
  assert.equal(chineseDate('2027-03-15'), '二〇二七年三月十五日');
});

test('the acceptance notice and the certificate are issued once as PDF and served byte for byte', async () => {
  clock.set(MONDAY);
  const { id, receiptNo } = await submit();

  // Nothing accepted yet: no acceptance notice, and the message says why.
  const early = problem(await get(citizen, notice(id, 'acceptance')));
  assert.equal(early.status, 404);
  assert.match(String(early.type), /application\/problem\+json/);
  assert.match(early.body.detail, /受理通知书/);

  await act(people.clerk, id, 'accept', { action: 'accept' });
  const first = await get(citizen, notice(id, 'acceptance'));
  const bytes = assertPdf(first, new RegExp(`^受理通知书-${receiptNo}\\.pdf$`));
  const text = await pdfText(bytes);
  assert.match(text, /受理通知书/);
  assert.match(text, /受字〔2026〕\d+号/);
  assert.match(text, /二〇二六年十一月二日/, 'the date of acceptance in Chinese form');
  assert.match(text, /^云川市市场监督管理局/, 'issued in the name of the licensing authority');
  assert.match(text, /张三/);
  assert.match(text, /食品安全法/, 'the legal basis');
  assert.doesNotMatch(text, /盖章/, 'no seal text in place of a seal');
  assert.doesNotMatch(bytes.toString('latin1'), /\/Subtype \/Image/, 'without an uploaded seal the seal area holds no image');

  // Later downloads, by the applicant's browser session or by the clerk, are the stored bytes.
  clock.set(TUESDAY);
  const again = await get(citizen, notice(id, 'acceptance'));
  assert.ok(Buffer.compare(again.rawPayload, bytes) === 0, 'byte for byte');
  const session = await loginSession(ctx.app, citizen.username, citizen.password);
  const bySession = await ctx.app.inject({ method: 'GET', url: notice(id, 'acceptance'), headers: { cookie: session.cookie } });
  assert.equal(bySession.statusCode, 200, bySession.body);
  assert.ok(Buffer.compare(bySession.rawPayload, bytes) === 0);
  assert.ok(Buffer.compare((await get(people.clerk, notice(id, 'acceptance'))).rawPayload, bytes) === 0);

  // Someone else's case does not exist for them; not signed in is 401.
  for (const other of [citizen2, people.stranger]) {
    const denied = problem(await get(other, notice(id, 'acceptance')));
    assert.equal(denied.status, 404);
    assert.match(String(denied.type), /application\/problem\+json/);
  }
  assert.equal((await ctx.app.inject({ method: 'GET', url: notice(id, 'acceptance') })).statusCode, 401);

  // Kinds the case has no outcome for, or no such kind: 404 with a clear message.
  assert.match(problem(await get(citizen, certificate(id))).body.detail, /许可证/);
  assert.match(problem(await get(citizen, notice(id, 'denial'))).body.detail, /不予许可决定书/);
  assert.equal(problem(await get(citizen, notice(id, 'correction'))).status, 404);
  assert.equal(problem(await get(citizen, notice(id, 'certificate'))).status, 404);
  assert.equal(problem(await get(citizen, notice(id, 'rejection'))).status, 404);

  // The decision: the certificate carries the digest and the signature that verification checks.
  await act(people.reviewer, id, 'decide', { action: 'approve' });
  const cert = await q().selectFrom('approval_certificates').selectAll().where('application_id', '=', id).executeTakeFirstOrThrow();
  const started = performance.now();
  const issued = await get(citizen, certificate(id));
  const took = performance.now() - started;
  const certBytes = assertPdf(issued, new RegExp(`^食品经营许可证-${receiptNo}\\.pdf$`));
  assert.ok(took < 2000, `${took} ms`);
  const certText = await pdfText(certBytes);
  assert.match(certText, /食品经营许可证/);
  assert.match(certText, /证字〔2026〕\d+号/);
  assert.match(certText, /二〇二六年十一月三日/);
  assert.ok(certText.includes(cert.content_sm3), 'the SM3 digest');
  assert.ok(certText.includes(cert.signature), 'the SM2 signature');
  assert.ok(certText.includes(cert.verification_code));
  assert.ok(certText.includes(cert.certificate_no));
  assert.match(certText, /云川市市场监督管理局/);
  assert.ok(Buffer.compare((await get(people.reviewer, certificate(id))).rawPayload, certBytes) === 0);
  assert.match(problem(await get(citizen, notice(id, 'denial'))).body.detail, /不予许可决定书/);
  assert.equal(problem(await get(citizen, notice(id, 'non_acceptance'))).status, 404);

  // The QR code's page (the configured public address) says the certificate is genuine.
  const verify = await ctx.app.inject({ method: 'GET', url: `/services/certificates/${cert.verification_code}` });
  assert.equal(verify.statusCode, 200);
  assert.match(verify.body, /核验通过：证照真实有效/);
  assert.ok(certBytes.toString('latin1').includes('/Subject') || certBytes.length > 0);

  // The window prints them from the staff case page; the HTML notice links to its PDF, with no seal text.
  const clerkSession = await loginSession(ctx.app, people.clerk.username, people.clerk.password);
  const page = await ctx.app.inject({ method: 'GET', url: `/console/approval/cases/${id}`, headers: { cookie: clerkSession.cookie } });
  assert.equal(page.statusCode, 200, page.body);
  assert.ok(page.body.includes(`href="${notice(id, 'acceptance')}"`));
  assert.ok(page.body.includes(`href="${certificate(id)}"`));
  assert.match(page.body, /打印受理通知书（PDF）/);
  assert.doesNotMatch(page.body, /denial\.pdf|correction\.pdf/);
  const html = await ctx.app.inject({ method: 'GET', url: `/approval/applications/${id}/notices/acceptance`, headers: { cookie: clerkSession.cookie } });
  assert.equal(html.statusCode, 200);
  assert.doesNotMatch(html.body, /盖章）|site-nav/);
  assert.ok(html.body.includes(`href="${notice(id, 'acceptance')}"`));

  // Recorded in approval's own table, stored by the files module, attached to the case.
  const rows = await documentRows(id);
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['acceptance', 'certificate'],
  );
  const file = await get(citizen, `/api/v1/files/${rows[0].file_id}`);
  assert.equal(file.statusCode, 200);
  assert.ok(Buffer.compare(file.rawPayload, bytes) === 0);
  assert.equal((await get(citizen2, `/api/v1/files/${rows[0].file_id}`)).statusCode, 404);
  const { rows: audit } = await sql<{ n: number }>`select count(*)::int as n from audit_log where object_id = ${id} and action = 'approval.document.issue'`.execute(ctx.platform.db);
  assert.equal(audit[0].n, 2, 'issued once each');
});

test('notices appear as a case moves through correction and non-acceptance', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await act(people.clerk, id, 'accept', { action: 'request_correction', opinion: '请补齐后再来', missing: [{ materialKey: 'site_plan', reason: '比例尺不符' }] });
  assert.equal(problem(await get(citizen, notice(id, 'acceptance'))).status, 404);
  const correction = assertPdf(await get(citizen, notice(id, 'correction')), /^补正材料通知书-/);
  const text = await pdfText(correction);
  assert.match(text, /补正材料通知书/);
  assert.match(text, /补字〔2026〕\d+号/);
  assert.match(text, /经营场所平面图/);
  assert.match(text, /比例尺不符/);
  assert.match(text, /请补齐后再来/);
  assert.match(text, /二〇二六年十一月二日/);

  const res = await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'site_plan', fileId: await upload(citizen) }] });
  assert.equal(res.statusCode, 200, res.body);
  clock.set(TUESDAY);
  await act(people.clerk, id, 'accept', { action: 'reject', opinion: '不属于本机关职权范围' });
  const refusal = assertPdf(await get(citizen, notice(id, 'non_acceptance')), /^不予受理通知书-/);
  const refusalText = await pdfText(refusal);
  assert.match(refusalText, /不予受理通知书/);
  assert.match(refusalText, /不属于本机关职权范围/);
  assert.match(refusalText, /二〇二六年十一月三日/);
  assert.match(refusalText, /行政复议/);
  assert.match(refusalText, /云川市政务服务中心/, 'the unit that decided at the window');
  assert.equal(problem(await get(citizen, notice(id, 'denial'))).status, 404);
  assert.equal(problem(await get(citizen, notice(id, 'acceptance'))).status, 404);
  // The correction notice issued before stays as it was.
  assert.ok(Buffer.compare((await get(citizen, notice(id, 'correction'))).rawPayload, correction) === 0);
});

test('a denial gets the decision not to grant, with the unit’s seal image once one is uploaded', async () => {
  // Only a unit administrator of that unit sets its seal, and only a PNG.
  const pngId = await upload(people.admin, '公章.png', SAMPLES.png());
  const pdfId = await upload(people.admin, '公章.pdf', SAMPLES.pdf());
  const seal = (user: TestUser, unitId: string, fileId: string) => ctx.app.inject({ method: 'PUT', url: `/api/v1/approval/units/${unitId}/seal`, payload: { fileId }, headers: bearer(user) });
  assert.equal((await seal(people.otherAdmin, units.review, pngId)).statusCode, 404);
  assert.equal((await seal(people.clerk, units.review, pngId)).statusCode, 403);
  const notPng = problem(await seal(people.admin, units.review, pdfId));
  assert.equal(notPng.status, 400);
  assert.match(notPng.body.detail, /PNG/);
  const set = await seal(people.admin, units.review, pngId);
  assert.equal(set.statusCode, 200, set.body);
  assert.equal(set.json().fileId, pngId);
  assert.equal((await get(people.admin, `/api/v1/approval/units/${units.review}/seal`)).json().fileId, pngId);
  assert.equal((await get(people.admin, `/api/v1/files/${pngId}`)).statusCode, 200);
  assert.equal((await get(citizen, `/api/v1/files/${pngId}`)).statusCode, 404, 'nobody else downloads the seal');

  clock.set(MONDAY);
  const { id } = await submit();
  await act(people.clerk, id, 'accept', { action: 'accept' });
  clock.set(TUESDAY);
  await act(people.reviewer, id, 'decide', { action: 'reject', opinion: '经营场所与申请材料不符' });
  const denial = assertPdf(await get(citizen, notice(id, 'denial')), /^不予许可决定书-/);
  const text = await pdfText(denial);
  assert.match(text, /不予许可决定书/);
  assert.match(text, /不许字〔2026〕\d+号/);
  assert.match(text, /经营场所与申请材料不符/);
  assert.match(text, /二〇二六年十一月三日/);
  assert.match(text, /云川市市场监督管理局/);
  assert.match(denial.toString('latin1'), /\/Subtype \/Image/, 'the seal image is drawn');
  assert.match(assertPdf(await get(citizen, notice(id, 'acceptance')), /^受理通知书-/).toString('latin1'), /\/Subtype \/Image/);
  assert.equal(problem(await get(citizen, certificate(id))).status, 404);
});

test('a unit administrator sets the unit’s seal from the console page', async () => {
  const session = await loginSession(ctx.app, people.otherAdmin.username, people.otherAdmin.password);
  const open = () => ctx.app.inject({ method: 'GET', url: '/console/approval/seal', headers: { cookie: session.cookie } });
  const send = (filename: string, content: Buffer) => {
    const body = multipartBody([
      { name: '_csrf', content: session.csrfToken },
      { name: 'seal_file', filename, content },
    ]);
    return ctx.app.inject({ method: 'POST', url: '/console/approval/seal', payload: body.payload, headers: { ...body.headers, cookie: session.cookie } });
  };
  const page = await open();
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /尚未上传印章/);
  assert.match(page.body, /type="file"/);

  const refused = await send('公章.pdf', SAMPLES.pdf());
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /PNG/);
  assert.equal((await q().selectFrom('approval_unit_seals').select('file_id').where('unit_id', '=', units.other).executeTakeFirst()), undefined, 'nothing set');

  const accepted = await send('公章.png', SAMPLES.png());
  assert.equal(accepted.statusCode, 303, accepted.body);
  assert.match((await open()).body, /已启用印章/);
  assert.ok(await q().selectFrom('approval_unit_seals').select('file_id').where('unit_id', '=', units.other).executeTakeFirst());

  // A clerk has no such page.
  const clerk = await loginSession(ctx.app, people.clerk.username, people.clerk.password);
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/console/approval/seal', headers: { cookie: clerk.cookie } })).statusCode, 403);
});
