// Drafting and sign-off of official documents through HTTP: the GB/T 9704 element checks (the
// document number above all), another unit's document is 404, the sign-off through the platform's
// task inbox with a return and a second submission, every opinion kept, the content frozen once
// signed off, and bodies that are huge, empty or of the wrong type refused with nothing written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, makeUnit, makeUser, problem, seedRegions, TEST_PG_URL, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { checkDocumentElements } from './elements.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let office: { id: string; name: string };
let finance: { id: string };
let county: { id: string };
let other: { id: string };
let clerk: TestUser;
let reviewer: TestUser;
let leader: TestUser;
let financeLeader: TestUser;
let otherClerk: TestUser;
let admin: TestUser;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  office = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100');
  finance = await makeUnit(ctx.platform, '测试市财政局', '990100');
  county = await makeUnit(ctx.platform, '甲县人民政府', '990102');
  other = await makeUnit(ctx.platform, '乙县人民政府', '990103');
  clerk = await makeUser(ctx.platform, office.id, ['doc_clerk']);
  reviewer = await makeUser(ctx.platform, office.id, ['doc_clerk']);
  leader = await makeUser(ctx.platform, office.id, ['unit_leader']);
  admin = await makeUser(ctx.platform, office.id, ['unit_admin']);
  financeLeader = await makeUser(ctx.platform, finance.id, ['unit_leader']);
  otherClerk = await makeUser(ctx.platform, other.id, ['doc_clerk']);
});
after(() => ctx?.close());

const document = (changes: Record<string, unknown> = {}) => ({
  title: '关于做好2026年冬季供暖工作的通知',
  docNumber: '测府办发〔2026〕12号',
  issuingUnitId: office.id,
  secrecy: 'none',
  urgency: 'urgent',
  body: '<p>各县人民政府：</p><p>现将有关事项通知如下。</p>',
  attachments: [],
  mainRecipients: [county.id],
  ccRecipients: [finance.id],
  writtenDate: '2026-11-02',
  ...changes,
});

const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method, url, headers: { ...bearer(user), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
const create = (user: TestUser, body: unknown) => api(user, 'POST', '/api/v1/exchange/documents', body);
const read = (user: TestUser, id: string) => api(user, 'GET', `/api/v1/exchange/documents/${id}`);
const countDocuments = async () => Number((await sql<{ n: string }>`select count(*) as n from exchange_documents`.execute(ctx.platform.db)).rows[0].n);
const inbox = async (user: TestUser) => {
  const res = await api(user, 'GET', '/api/v1/tasks?mine=true');
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Array<{ id: string; caseId: string; module: string; stepKey: string; stepName: string; title: string; link: string; docNumber: string }>;
};
const taskOf = async (user: TestUser, documentId: string) => (await inbox(user)).find((t) => t.caseId === documentId);
const complete = (user: TestUser, taskId: string, body: unknown) => api(user, 'POST', `/api/v1/tasks/${taskId}/complete`, body);

test('a document with every element is drafted, read back with its elements, and listed for its unit', async () => {
  const pdf = fileBody('附件1.pdf', SAMPLES.pdf(), 'application/pdf');
  const uploaded = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...pdf.headers, ...bearer(clerk) }, payload: pdf.payload });
  assert.equal(uploaded.statusCode, 201, uploaded.body);
  const fileId = uploaded.json().id as string;
  const res = await create(
    clerk,
    document({ docNumber: '测府办发〔2026〕1号', secrecy: 'secret', secrecyPeriod: '5年', copyNo: '000001', docType: 'request', signer: '张三', attachments: [fileId], notes: '联系人：李四', printingUnit: '测试市人民政府办公室', printedDate: '2026-11-03', body: '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:x">链接</a></p>' }),
  );
  assert.equal(res.statusCode, 201, res.body);
  const { id } = res.json();
  const view = (await read(clerk, id)).json();
  assert.equal(view.state, 'draft');
  assert.equal(view.docType, 'request');
  assert.equal(view.secrecyPeriod, '5年');
  assert.equal(view.copyNo, '000001');
  assert.equal(view.issuingAuthority, office.name, 'the unit’s name when none is given');
  assert.equal(view.writtenDateShown, '2026年11月2日');
  assert.equal(view.body, '<p>正文链接</p>', 'scripts, handlers and links removed');
  assert.deepEqual(view.attachments.map((a: { id: string; name: string }) => a.name), ['附件1.pdf']);
  assert.deepEqual(view.signoff, { history: [], open: [] });
  const file = await api(clerk, 'GET', `/api/v1/files/${fileId}`);
  assert.equal(file.statusCode, 200, 'the drafter downloads the attachment');
  assert.equal((await api(otherClerk, 'GET', `/api/v1/files/${fileId}`)).statusCode, 404, 'another unit does not');

  const list = await api(clerk, 'GET', '/api/v1/exchange/documents?state=draft');
  assert.ok(list.json().items.some((d: { id: string }) => d.id === id));
  assert.equal((await api(otherClerk, 'GET', '/api/v1/exchange/documents')).json().items.length, 0, 'another unit sees none of them');
});

test('document numbers: full year in 〔〕, no 第, no leading zeros; every problem at once, in the caller’s language', async () => {
  const before = await countDocuments();
  for (const [docNumber, message] of [
    ['测府办发〔26〕12号', '年份应写全四位数字'],
    ['测府办发[2026]12号', '六角括号'],
    ['测府办发(2026)12号', '六角括号'],
    ['测府办发〔2026〕第12号', '不加“第”'],
    ['测府办发〔2026〕012号', '不编虚位'],
    ['测府办发2026年12号', '发文字号应为'],
  ]) {
    const res = problem(await create(clerk, document({ docNumber })));
    assert.equal(res.status, 400, docNumber);
    const error = res.body.errors!.find((e) => e.path === 'docNumber');
    assert.ok(error?.message.includes(message), `${docNumber}: ${error?.message}`);
  }
  const english = problem(await api(clerk, 'POST', '/api/v1/exchange/documents', document({ docNumber: '测府办发〔26〕12号' }), { 'accept-language': 'en' }));
  assert.match(english.body.errors!.find((e) => e.path === 'docNumber')!.message, /four digits/);

  const many = problem(await create(clerk, document({ secrecy: 'confidential', writtenDate: '2026-02-30', mainRecipients: [], ccRecipients: [office.id], docType: 'report' })));
  assert.deepEqual(many.body.errors!.map((e) => e.path).sort(), ['ccRecipients', 'copyNo', 'mainRecipients', 'secrecyPeriod', 'signer', 'writtenDate'].sort());
  const longSecret = problem(await create(clerk, document({ secrecy: 'secret', secrecyPeriod: '15年', copyNo: '000002' })));
  assert.ok(longSecret.body.errors!.some((e) => e.path === 'secrecyPeriod' && e.message.includes('10')));
  const periodWithout = problem(await create(clerk, document({ secrecyPeriod: '5年' })));
  assert.equal(periodWithout.body.errors![0].path, 'secrecyPeriod');
  const unknownUnit = problem(await create(clerk, document({ mainRecipients: ['no-such-unit'] })));
  assert.equal(unknownUnit.status, 400);
  assert.match(unknownUnit.body.errors![0].message, /no-such-unit/);
  assert.equal(await countDocuments(), before, 'nothing written');

  assert.deepEqual(checkDocumentElements(document(), 'zh-CN'), []);
  assert.deepEqual(checkDocumentElements(document({ docNumber: '测府办发〔2026〕第12号' }), 'zh-CN').map((p) => p.path), ['docNumber']);
  const check = await api(clerk, 'POST', '/api/v1/exchange/documents/check', { docNumber: '测府办发〔26〕1号', title: '标题' });
  assert.equal(check.statusCode, 200, check.body);
  assert.equal(check.json().ok, false);
  assert.ok(check.json().problems.some((p: { path: string; message: string }) => p.path === 'docNumber' && p.message.includes('四位')));
});

test('bodies that are huge, empty, only script or of the wrong type are refused and write nothing', async () => {
  const before = await countDocuments();
  for (const body of ['x'.repeat(200_001), '', '   ', '<script>alert(1)</script>', '<p> </p>', 42, null, ['<p>a</p>'], { html: '<p>a</p>' }]) {
    const res = await create(clerk, document({ body }));
    assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 30)}: ${res.body.slice(0, 200)}`);
  }
  assert.equal((await create(clerk, document({ unknownField: 1 }))).statusCode, 400);
  assert.equal((await create(clerk, document({ secrecy: 'top_secret' }))).statusCode, 400);
  assert.equal(await countDocuments(), before);
});

test('another unit’s document is 404 to read, change and submit; drafting for another unit is 404', async () => {
  const { id } = (await create(clerk, document({ docNumber: '测府办发〔2026〕2号' }))).json();
  assert.equal((await read(otherClerk, id)).statusCode, 404);
  assert.equal((await api(otherClerk, 'PATCH', `/api/v1/exchange/documents/${id}`, { title: '改' })).statusCode, 404);
  assert.equal((await api(otherClerk, 'POST', `/api/v1/exchange/documents/${id}/submit`, {})).statusCode, 404);
  assert.equal((await create(otherClerk, document())).statusCode, 404);
  assert.equal((await read(clerk, 'no-such-document')).statusCode, 404);
  assert.equal((await create(leader, document())).statusCode, 403, 'a leader does not draft');
});

test('sign-off through the task inbox: 核稿 and 会签 configured, a return to the drafter, a second submission, 签发; opinions kept and content frozen', async () => {
  // The unit's settings: 核稿 on (doc_clerk or unit_admin; another unit's settings are 404).
  assert.equal((await api(admin, 'PUT', '/api/v1/exchange/signoff-settings', { reviewStep: true })).statusCode, 200);
  assert.deepEqual((await api(clerk, 'GET', '/api/v1/exchange/signoff-settings')).json(), { unitId: office.id, reviewStep: true });
  assert.equal((await api(otherClerk, 'GET', `/api/v1/exchange/signoff-settings?unitId=${office.id}`)).statusCode, 404);
  assert.equal((await api(leader, 'GET', '/api/v1/exchange/signoff-settings')).statusCode, 403);

  const { id } = (await create(clerk, document({ docNumber: '测府办发〔2026〕3号', countersignUnitIds: [finance.id] }))).json();
  const submitted = await api(clerk, 'POST', `/api/v1/exchange/documents/${id}/submit`, { opinion: '请核稿' });
  assert.equal(submitted.statusCode, 200, submitted.body);
  assert.equal(submitted.json().state, 'in_signoff');
  assert.equal((await api(clerk, 'PATCH', `/api/v1/exchange/documents/${id}`, { title: '改' })).statusCode, 409, 'no change while in sign-off');
  assert.equal((await api(clerk, 'POST', `/api/v1/exchange/documents/${id}/submit`, {})).statusCode, 409, 'submitted once');

  // 核稿 by another clerk of the unit, not the drafter.
  const ownReview = await taskOf(clerk, id);
  assert.equal(ownReview?.stepKey, 'review');
  assert.equal((await complete(clerk, ownReview!.id, { action: 'approve' })).statusCode, 403, 'the drafter does not review their own draft');
  const review = (await taskOf(reviewer, id))!;
  assert.equal(review.module, 'exchange');
  assert.equal(review.stepName, '核稿');
  assert.equal(review.docNumber, '测府办发〔2026〕3号');
  assert.equal(review.link, `/console/exchange/documents/${id}`);
  assert.equal((await complete(reviewer, review.id, { outcome: 'pass' })).statusCode, 400, 'another module’s words are refused');
  assert.equal((await complete(reviewer, review.id, { action: 'approve', opinion: '文字已核' })).statusCode, 200);

  // 会签 by the finance bureau's leader, who returns it to the drafter; a return needs an opinion.
  assert.equal(await taskOf(leader, id), undefined, '签发 waits for 会签');
  const countersign = (await taskOf(financeLeader, id))!;
  assert.equal(countersign.stepName, '会签');
  assert.equal((await read(financeLeader, id)).statusCode, 200, 'the countersigning unit reads the document');
  assert.equal((await complete(financeLeader, countersign.id, { action: 'return' })).statusCode, 400);
  const returned = await complete(financeLeader, countersign.id, { action: 'return', opinion: '请补充资金来源' });
  assert.equal(returned.statusCode, 200, returned.body);
  assert.equal(returned.json().state, 'draft');

  // Back with the drafter: editable again, then handed in again (the reopened 拟稿 task).
  assert.equal((await read(clerk, id)).json().state, 'draft');
  assert.equal((await api(clerk, 'PATCH', `/api/v1/exchange/documents/${id}`, { body: '<p>各县人民政府：</p><p>所需资金由市财政列支。</p>' })).statusCode, 200);
  const redraft = (await taskOf(clerk, id))!;
  assert.equal(redraft.stepKey, 'draft');
  assert.equal((await complete(clerk, redraft.id, { action: 'approve', opinion: '已补充' })).statusCode, 200);
  assert.equal((await complete(reviewer, (await taskOf(reviewer, id))!.id, { action: 'approve' })).statusCode, 200);
  assert.equal((await complete(financeLeader, (await taskOf(financeLeader, id))!.id, { action: 'approve', opinion: '同意' })).statusCode, 200);
  const sign = (await taskOf(leader, id))!;
  assert.equal(sign.stepName, '签发');
  const signed = await complete(leader, sign.id, { action: 'approve', opinion: '同意印发' });
  assert.equal(signed.statusCode, 200, signed.body);
  assert.equal(signed.json().state, 'signed_off');

  const view = (await read(clerk, id)).json();
  assert.equal(view.state, 'signed_off');
  assert.deepEqual(
    view.signoff.history.map((h: { stepKind: string; action: string; opinion: string | null }) => [h.stepKind, h.action, h.opinion]),
    [
      ['draft', 'approve', '请核稿'],
      ['review', 'approve', '文字已核'],
      ['countersign', 'return', '请补充资金来源'],
      ['draft', 'approve', '已补充'],
      ['review', 'approve', null],
      ['countersign', 'approve', '同意'],
      ['sign', 'approve', '同意印发'],
    ],
  );
  assert.deepEqual(view.signoff.open, []);
  const frozen = await api(clerk, 'PATCH', `/api/v1/exchange/documents/${id}`, { title: '改' });
  assert.equal(frozen.statusCode, 409);
  assert.equal((await read(clerk, id)).json().title, document().title);

  const audit = await sql<{ action: string }>`select action from audit_log where object_id = ${id} and action like 'exchange.%' order by id`.execute(ctx.platform.db);
  assert.deepEqual(
    audit.rows.map((r) => r.action),
    ['exchange.document.create', 'exchange.document.submit', 'exchange.document.signoff', 'exchange.document.return', 'exchange.document.update', 'exchange.document.submit', 'exchange.document.signoff', 'exchange.document.signoff', 'exchange.document.signoff'],
  );
  const notes = await sql<{ template: string }>`select template from notify_outbox where template like 'exchange.%' and params::text like ${`%${id}%`}`.execute(ctx.platform.db);
  const templates = notes.rows.map((r) => r.template);
  assert.ok(templates.includes('exchange.signoff.newTask') && templates.includes('exchange.signoff.returned') && templates.includes('exchange.signoff.signedOff'), templates.join());
  await api(admin, 'PUT', '/api/v1/exchange/signoff-settings', { reviewStep: false });
});

test('by default 拟稿 → 签发; a document number is used once past drafting', async () => {
  const { id } = (await create(clerk, document({ docNumber: '测府办发〔2026〕4号' }))).json();
  assert.equal((await api(clerk, 'POST', `/api/v1/exchange/documents/${id}/submit`)).statusCode, 200);
  const sign = (await taskOf(leader, id))!;
  assert.equal(sign.stepKey, 'sign');
  assert.equal((await complete(leader, sign.id, { action: 'approve' })).json().state, 'signed_off');
  assert.equal((await complete(leader, sign.id, { action: 'approve' })).statusCode, 409, 'done once');

  const twin = (await create(clerk, document({ docNumber: '测府办发〔2026〕4号' }))).json();
  const taken = problem(await api(clerk, 'POST', `/api/v1/exchange/documents/${twin.id}/submit`, {}));
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 'EXCHANGE_NUMBER_TAKEN');
  assert.equal((await read(clerk, twin.id)).json().state, 'draft', 'nothing changed');
});

test('races: a draft submitted twice at once starts one sign-off; a step decided twice at once is decided once', { skip: !TEST_PG_URL && 'races are meaningful on PostgreSQL only' }, async () => {
  const { id } = (await create(clerk, document({ docNumber: '测府办发〔2026〕5号' }))).json();
  const submits = await Promise.all([0, 1, 2].map(() => api(clerk, 'POST', `/api/v1/exchange/documents/${id}/submit`, {})));
  assert.deepEqual(submits.map((r) => r.statusCode).sort(), [200, 409, 409]);
  const instances = await sql<{ n: string }>`select count(*) as n from flow_instances where subject_id = ${id}`.execute(ctx.platform.db);
  assert.equal(Number(instances.rows[0].n), 1);
  const sign = (await taskOf(leader, id))!;
  const decisions = await Promise.all([
    complete(leader, sign.id, { action: 'approve', opinion: '同意' }),
    complete(leader, sign.id, { action: 'return', opinion: '再改' }),
    complete(leader, sign.id, { action: 'approve' }),
  ]);
  assert.deepEqual(decisions.map((r) => r.statusCode).sort(), [200, 409, 409]);
  const view = (await read(clerk, id)).json();
  assert.equal(view.signoff.history.length, 2, 'one submission and one decision in the log');
  assert.equal(view.state, view.signoff.history[1].action === 'approve' ? 'signed_off' : 'draft');

  // Two drafts of one number handed in at the same moment: one goes on, the other is told why.
  const twins = await Promise.all([0, 1].map(async () => (await create(clerk, document({ docNumber: '测府办发〔2026〕6号' }))).json().id as string));
  const both = await Promise.all(twins.map((twin) => api(clerk, 'POST', `/api/v1/exchange/documents/${twin}/submit`, {})));
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
  assert.equal(both.find((r) => r.statusCode === 409)!.json().code, 'EXCHANGE_NUMBER_TAKEN');
});
