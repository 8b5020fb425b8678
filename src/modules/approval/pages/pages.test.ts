// The approval pages through HTTP, as a browser without JavaScript uses them: forms posted to
// page routes (urlencoded or multipart), redirects, re-rendered forms with their messages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../platform/db/work.ts';
import { sql } from '../../../platform/db/index.ts';
import { idCheckChar } from '../../../platform/org/codes.ts';
import { blindIndex } from '../../../platform/crypto/fields.ts';
import { multipartBody, SAMPLES, type MultipartPart } from '../../../platform/files/testing.ts';
import type { Unit } from '../../../platform/org/service.ts';
import { createItem } from '../commands/create-item.ts';
import { IMPORT_MAX_BYTES } from '../commands/import-catalogue.ts';
import { publishItem } from '../commands/publish-item.ts';
import type { Item } from '../queries/items.ts';
import { writeCatalogueWorkbook } from '../catalogue-excel-write.ts';
import type { ItemInput } from '../model.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let units: { window: Unit; planning: Unit; fire: Unit };
let staff: Record<'clerk' | 'clerk2' | 'planner' | 'fireman' | 'leader' | 'stranger', TestUser>;
let item: Item;

interface Browser {
  cookies: Record<string, string>;
  csrf: string;
}

function cookiesOf(res: LightMyRequestResponse, into: Record<string, string>) {
  for (const c of res.cookies) {
    if (c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0)) delete into[c.name];
    else into[c.name] = c.value;
  }
}

const get = async (b: Browser | null, url: string, headers: Record<string, string> = {}) => {
  const res = await ctx.app.inject({ method: 'GET', url, cookies: b?.cookies ?? {}, headers });
  if (b) cookiesOf(res, b.cookies);
  return res;
};

async function post(b: Browser | null, url: string, form: Record<string, string | string[]>, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
  const body = new URLSearchParams();
  if (b && options.csrf !== false) body.append('_csrf', b.csrf);
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  const res = await ctx.app.inject({ method: 'POST', url, cookies: b?.cookies ?? {}, headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers }, payload: body.toString() });
  if (b) cookiesOf(res, b.cookies);
  return res;
}

/** A multipart form post, the CSRF token first as the pages put it. */
async function postMultipart(b: Browser, url: string, fields: Record<string, string>, files: Record<string, { filename: string; content: Buffer }>, options: { csrf?: string } = {}) {
  const parts: MultipartPart[] = [{ name: '_csrf', content: options.csrf ?? b.csrf }];
  for (const [name, content] of Object.entries(fields)) parts.push({ name, content });
  for (const [name, file] of Object.entries(files)) parts.push({ name, filename: file.filename, content: file.content });
  const body = multipartBody(parts);
  const res = await ctx.app.inject({ method: 'POST', url, cookies: b.cookies, headers: body.headers, payload: body.payload });
  cookiesOf(res, b.cookies);
  return res;
}

const html = (res: LightMyRequestResponse) => {
  assert.match(String(res.headers['content-type']), /^text\/html/, `${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.body;
};
const location = (res: LightMyRequestResponse) => String(res.headers.location ?? '');
const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const fieldValue = (page: string, name: string) => new RegExp(`name="${name.replace(/\./g, '\\.')}"[^>]*? value="([^"]*)"`).exec(page)?.[1] ?? null;

async function staffBrowser(user: TestUser): Promise<Browser> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: user.password } });
  assert.equal(res.statusCode, 200, res.body);
  const b: Browser = { cookies: {}, csrf: res.json().csrfToken };
  cookiesOf(res, b.cookies);
  return b;
}

let people = 0;
function idNumber(): string {
  people += 1;
  const first17 = `11010519800101${String(people).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** The code of the last SMS written for a number (the log shows the same text). */
async function sentCode(phone: string): Promise<string> {
  const { rows } = await sql<{ params: string | { code: string } }>`
    select params from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)} order by created_at desc limit 1`.execute(ctx.platform.db);
  const params = typeof rows[0].params === 'string' ? (JSON.parse(rows[0].params) as { code: string }) : rows[0].params;
  return params.code;
}

/** Registers a citizen through the registration page, like a browser: code by SMS, then the form. */
async function registerCitizen(name: string, phone: string): Promise<Browser> {
  const b: Browser = { cookies: {}, csrf: '' };
  const page = html(await get(b, '/register?next=/services'));
  const fields = { kind: 'person', name, idNumber: idNumber(), phone, next: '/services', _form: fieldValue(page, '_form')! };
  assert.equal((await post(b, '/register/sms-code', fields)).statusCode, 200);
  const res = await post(b, '/register', { ...fields, smsCode: await sentCode(phone), password: 'Citizen#2026', password2: 'Citizen#2026' });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(location(res), '/services');
  b.csrf = csrfOf(html(await get(b, `/services/items/${item.id}/apply`)));
  assert.ok(b.csrf, 'signed in after registering');
  return b;
}

const ITEM: Omit<ItemInput, 'unitId' | 'process'> = {
  name: '户外广告设施设置审批',
  kind: 'licensing',
  legalBasis: '《城市市容和环境卫生管理条例》第十一条\n《测试市户外广告管理办法》第八条',
  conditions: '设置地点符合户外广告设施设置规划',
  materials: [
    { key: 'application_form', name: '设置申请表', required: true, copies: 1, allowPending: false },
    { key: 'site_photo', name: '现场照片', required: true, copies: 1, allowPending: true },
    { key: 'design', name: '设计效果图', required: false, copies: 2, allowPending: false, description: '彩色打印' },
  ],
  statutoryDays: 20,
  promisedDays: 8,
  fee: { charged: false },
  resultName: '户外广告设施设置许可决定书',
  maxVisits: 0,
  consultPhone: '0999-12345678',
  complaintPhone: '12345',
  formFields: [
    { key: 'address', label: '设置地址', type: 'text', required: true },
    { key: 'area', label: '面积（平方米）', type: 'number', required: true },
    { key: 'kind', label: '设施类型', type: 'select', required: false, options: ['招牌', '广告牌'] },
  ],
  themes: ['城市管理'],
  lifeEvents: ['开办企业'],
};

before(async () => {
  ctx = await createTestContext({ clock, env: { ZT_LOGIN_RATE_LIMIT: '100000', ZT_PUBLIC_URL: 'https://zw.example.gov.cn' } });
  await seedRegions(ctx.platform);
  units = {
    window: await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center'),
    planning: await makeUnit(ctx.platform, '测试市自然资源和规划局', '990100'),
    fire: await makeUnit(ctx.platform, '测试市消防救援支队', '990100'),
  };
  staff = {
    clerk: await makeUser(ctx.platform, units.window.id, ['window_clerk']),
    clerk2: await makeUser(ctx.platform, units.window.id, ['window_clerk']),
    planner: await makeUser(ctx.platform, units.planning.id, ['approver']),
    fireman: await makeUser(ctx.platform, units.fire.id, ['approver']),
    leader: await makeUser(ctx.platform, units.window.id, ['unit_leader']),
    stranger: await makeUser(ctx.platform, (await makeUnit(ctx.platform, '测试市城市管理局', '990100')).id, ['unit_leader', 'approver']),
  };
  item = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const draft = await createItem(work, ctx.platform, null, {
      ...ITEM,
      unitId: units.window.id,
      process: {
        stages: [
          { key: 'accept', name: '受理', unitId: units.window.id, role: 'window_clerk', days: 1 },
          {
            parallel: [
              { key: 'planning', name: '规划审查', unitId: units.planning.id, role: 'approver', days: 3 },
              { key: 'fire', name: '消防审查', unitId: units.fire.id, role: 'approver', days: 3 },
            ],
          },
          { key: 'decide', name: '决定', unitId: units.window.id, role: 'unit_leader', days: 2 },
        ],
      },
    });
    return publishItem(work, ctx.platform, null, draft.id);
  });
});

after(() => ctx?.close());

describe('service hall and guide', () => {
  test('the hall lists published items by department, theme and life event, and searches', async () => {
    const page = html(await get(null, '/services'));
    assert.match(page, /户外广告设施设置审批/);
    assert.match(page, /测试市政务服务中心/);
    assert.match(page, /城市管理/);
    assert.match(page, /开办企业/);
    for (const url of ['/services?theme=城市管理', '/services?event=开办企业', `/services?unit=${units.window.id}`, '/services?q=广告']) {
      assert.match(html(await get(null, encodeURI(url))), /<a href="\/services\/items\/[^"]+">户外广告设施设置审批<\/a>/, url);
    }
    const none = html(await get(null, encodeURI('/services?q=不存在的事项')));
    assert.match(none, /没有找到符合条件的事项/);
    // Hostile text in the search comes back escaped.
    const hostile = html(await get(null, `/services?q=${encodeURIComponent('<script>alert(1)</script>')}`));
    assert.doesNotMatch(hostile, /<script>alert/);
  });

  test('the guide shows every standard element, the materials table and the process', async () => {
    const page = html(await get(null, `/services/items/${item.id}`));
    for (const text of [
      '户外广告设施设置审批',
      item.code,
      '行政许可',
      '测试市政务服务中心',
      '《城市市容和环境卫生管理条例》第十一条',
      '《测试市户外广告管理办法》第八条',
      '设置地点符合户外广告设施设置规划',
      '设置申请表',
      '可容缺，受理后补交',
      '彩色打印',
      '20 个工作日',
      '8 个工作日',
      '不收费',
      '户外广告设施设置许可决定书',
      '0 次（全程网上办理）',
      '0999-12345678',
      '12345',
      '规划审查',
      '消防审查',
      '以下 2 个部门并联审查',
    ]) {
      assert.ok(page.includes(text), `the guide shows ${text}`);
    }
    assert.equal((await get(null, '/services/items/nope')).statusCode, 404);
  });
});

describe('citizen registration, application, correction and progress', () => {
  let citizen: Browser;
  let caseId: string;
  let receiptNo: string;

  test('registration refuses a form without its cookie token and mismatched passwords, then signs the citizen in', async () => {
    const anonymous: Browser = { cookies: {}, csrf: '' };
    const forged = await post(anonymous, '/register', { kind: 'person', name: 'x', idNumber: idNumber(), phone: '13900000001', smsCode: '123456', password: 'Citizen#2026', password2: 'Citizen#2026', _form: 'x'.repeat(32) });
    assert.equal(forged.statusCode, 403);
    const page = html(await get(anonymous, '/register'));
    const token = fieldValue(page, '_form')!;
    const mismatch = await post(anonymous, '/register', { kind: 'person', name: '王小明', idNumber: idNumber(), phone: '13900000001', smsCode: '123456', password: 'Citizen#2026', password2: 'Citizen#2027', _form: token });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /两次输入的密码不一致/);
    assert.match(mismatch.body, /value="王小明"/, 'typed values are kept');
    const weak = await post(anonymous, '/register', { kind: 'person', name: '王小明', idNumber: idNumber(), phone: '13900000001', smsCode: '123456', password: 'weak', password2: 'weak', _form: token });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /密码强度不足/);
    citizen = await registerCitizen('王小明', '13900000001');
    const taken = await registerCitizen('李小红', '13900000002');
    assert.ok(taken.csrf);
  });

  test('applying needs a signed-in account; the form is refused with every problem at once and keeps the uploads', async () => {
    const anonymous = await get(null, `/services/items/${item.id}/apply`);
    assert.equal(anonymous.statusCode, 303);
    assert.equal(location(anonymous), `/login?next=${encodeURIComponent(`/services/items/${item.id}/apply`)}`);

    const form = html(await get(citizen, `/services/items/${item.id}/apply`));
    assert.match(form, /enctype="multipart\/form-data"/);
    const submission = fieldValue(form, '_submission')!;
    // No phone, a bad ID number, the address missing, one required material missing, a file of a refused type.
    const refused = await postMultipart(
      citizen,
      `/services/items/${item.id}/apply`,
      { _submission: submission, 'applicant.kind': 'person', 'applicant.name': '王小明', 'applicant.idNumber': '110105198001010000', 'applicant.phone': '', 'form.area': '12.5' },
      { 'file.site_photo': { filename: '照片.png', content: SAMPLES.png() }, 'file.design': { filename: 'x.exe', content: Buffer.from('MZ\x90\x00binary') } },
    );
    assert.equal(refused.statusCode, 400, refused.body.slice(0, 500));
    assert.match(refused.body, /apply-file\.design-error/);
    // The refused file does not hide the other problems, and its type is named in words.
    assert.match(refused.body, /不支持的文件类型：Windows 可执行程序（EXE）/);
    assert.doesNotMatch(refused.body, /application\/x-msdownload/);
    for (const field of ['applicant\\.idNumber', 'applicant\\.phone', 'form\\.address']) assert.match(refused.body, new RegExp(`apply-${field}-error`), field);
    const kept = fieldValue(refused.body, 'kept.site_photo');
    assert.ok(kept, 'the accepted upload is kept for the next attempt');

    const again = await postMultipart(
      citizen,
      `/services/items/${item.id}/apply`,
      { _submission: submission, 'applicant.kind': 'person', 'applicant.name': '王小明', 'applicant.idNumber': '110105198001010000', 'applicant.phone': '', 'form.area': 'abc', 'kept.site_photo': kept! },
      {},
    );
    assert.equal(again.statusCode, 400);
    const page = again.body;
    assert.match(page, /apply-applicant\.idNumber-error/);
    assert.match(page, /apply-applicant\.phone-error/);
    assert.match(page, /apply-form\.address-error/);
    assert.match(page, /apply-form\.area-error/);
    assert.match(page, /apply-file\.application_form-error/);
    assert.match(page, /缺少必交材料“设置申请表”/);
    assert.equal(fieldValue(page, 'kept.site_photo'), kept);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from approval_applications`.execute(ctx.platform.db);
    assert.equal(rows[0].n, 0, 'nothing filed');
  });

  test('a multipart post without the session token stages nothing and is refused', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from files`.execute(ctx.platform.db);
    const res = await postMultipart(citizen, `/services/items/${item.id}/apply`, { 'applicant.name': 'x' }, { 'file.application_form': { filename: 'a.pdf', content: SAMPLES.pdf() } }, { csrf: 'wrong' });
    assert.equal(res.statusCode, 403);
    const afterCount = await sql<{ n: number }>`select count(*)::int as n from files`.execute(ctx.platform.db);
    assert.equal(afterCount.rows[0].n, before.rows[0].n);
  });

  test('a complete application is filed once, even when the form is posted twice', async () => {
    const form = html(await get(citizen, `/services/items/${item.id}/apply`));
    const submission = fieldValue(form, '_submission')!;
    const fields = { _submission: submission, 'applicant.kind': 'person', 'applicant.name': '王小明', 'applicant.idNumber': idNumber(), 'applicant.phone': '13912345678', 'form.address': '测试市人民路 1 号', 'form.area': '12.5', 'form.kind': '招牌' };
    const files = { 'file.application_form': { filename: '申请表.pdf', content: SAMPLES.pdf() } };
    const first = await postMultipart(citizen, `/services/items/${item.id}/apply`, fields, files);
    assert.equal(first.statusCode, 303, first.body.slice(0, 800));
    caseId = location(first).replace('/services/mine/', '');
    const second = await postMultipart(citizen, `/services/items/${item.id}/apply`, fields, files);
    assert.equal(second.statusCode, 303);
    assert.equal(location(second), `/services/mine/${caseId}`, 'the same form token answers the first application');
    const { rows } = await sql<{ n: number; receipt_no: string }>`select count(*)::int as n, max(receipt_no) as receipt_no from approval_applications`.execute(ctx.platform.db);
    assert.equal(rows[0].n, 1);
    receiptNo = rows[0].receipt_no;

    const mine = html(await get(citizen, '/services/mine'));
    assert.match(mine, /申请已提交，受理号/);
    assert.match(mine, new RegExp(`href="/services/mine/${caseId}"`));
    assert.match(mine, /待受理/);
    const casePage = html(await get(citizen, `/services/mine/${caseId}`));
    assert.match(casePage, /容缺受理，待补交的材料/, 'the photo accepted as pending can be handed in later');
    assert.match(casePage, /撤回申请/);
    // A second application, withdrawn before acceptance.
    const another = html(await get(citizen, `/services/items/${item.id}/apply`));
    const filed = await postMultipart(citizen, `/services/items/${item.id}/apply`, { ...fields, _submission: fieldValue(another, '_submission')!, 'form.address': '测试市人民路 3 号' }, { 'file.application_form': { filename: '申请表.pdf', content: SAMPLES.pdf() } });
    assert.equal(filed.statusCode, 303);
    const withdrawn = await post(citizen, `${location(filed)}/withdraw`, { reason: '不再需要' });
    assert.equal(withdrawn.statusCode, 303);
    assert.match(html(await get(citizen, location(filed))), /已撤回/);
    // Another citizen does not see it.
    const other = await registerCitizen('citizen03', '13900000003');
    assert.equal((await get(other, `/services/mine/${caseId}`)).statusCode, 404);
  });

  test('the progress query needs the receipt number and the applicant’s phone, and says nothing about which was wrong', async () => {
    const empty = await post(null, '/services/progress', { receiptNo: '', phone: '' });
    assert.equal(empty.statusCode, 400);
    const wrongPhone = await post(null, '/services/progress', { receiptNo, phone: '13900000000' });
    const wrongReceipt = await post(null, '/services/progress', { receiptNo: '20990101000001', phone: '13912345678' });
    assert.equal(wrongPhone.statusCode, 404);
    assert.equal(wrongReceipt.statusCode, 404);
    const message = (res: LightMyRequestResponse) => /没有查到办件[^<]*/.exec(res.body)?.[0];
    assert.equal(message(wrongPhone), message(wrongReceipt));
    // “Not found” is said as such, not as a form to correct.
    assert.match(wrongReceipt.body, /<h2 class="error-summary-title">没有找到相关记录<\/h2>/);
    assert.doesNotMatch(wrongReceipt.body, /提交未成功/);
    assert.match(empty.body, /提交未成功，请修改以下内容/, 'an empty form is still a form to correct');
    const found = await post(null, '/services/progress', { receiptNo, phone: '139 1234 5678' });
    assert.equal(found.statusCode, 200);
    assert.match(found.body, /待受理/);
    assert.match(found.body, /规划审查/);
    assert.doesNotMatch(found.body, /13912345678|王小明/, 'no personal data on the anonymous page');

    const api = await ctx.app.inject({ url: `/api/v1/public/progress?receiptNo=${receiptNo}&phone=13912345678` });
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(api.json().state, 'submitted');
    assert.equal((await ctx.app.inject({ url: `/api/v1/public/progress?receiptNo=${receiptNo}&phone=13912345679` })).statusCode, 404);
    assert.equal((await ctx.app.inject({ url: `/api/v1/public/progress?receiptNo=${receiptNo}&phone=13912345678&x=1` })).statusCode, 400);
  });

  test('staff work the case through the console: inbox, correction once, parallel review, decision, certificate', async () => {
    const clerk = await staffBrowser(staff.clerk);
    const inbox = html(await get(clerk, '/console/approval/tasks'));
    assert.match(inbox, new RegExp(`/console/approval/cases/${caseId}`));
    assert.match(inbox, /剩余 \d+ 个工作日|今日到期/);
    // A department without a step in this case does not see it.
    const stranger = await staffBrowser(staff.stranger);
    assert.equal((await get(stranger, `/console/approval/cases/${caseId}`)).statusCode, 404);

    let page = html(await get(clerk, `/console/approval/cases/${caseId}`));
    const taskId = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"]+)"/.exec(page)![1];
    const version = fieldValue(page, 'expectedVersion')!;
    assert.match(page, /办理：受理/);
    assert.match(page, /设置申请表/);
    assert.match(page, /\/api\/v1\/files\//, 'materials have download links');

    // Correction without any material ticked: refused with the message at the checklist.
    let res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${taskId}`, { action: 'request_correction', opinion: '', expectedVersion: version });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /task0-missing-error/);
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${taskId}`, { action: 'request_correction', missing: ['design'], 'reason.design': '', expectedVersion: version });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /task0-reason\.design-error/);
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${taskId}`, { action: 'request_correction', missing: ['design', 'site_photo'], 'reason.design': '请提交彩色效果图', 'reason.site_photo': '照片不清晰', expectedVersion: version });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    page = html(await get(clerk, `/console/approval/cases/${caseId}`));
    assert.match(page, /暂停计时中/);
    assert.match(page, /请提交彩色效果图/);

    // The citizen hands in both at once; one missing is refused with nothing changed.
    const mine = html(await get(citizen, `/services/mine/${caseId}`));
    assert.match(mine, /请补正以下材料/);
    res = await postMultipart(citizen, `/services/mine/${caseId}/materials`, {}, { 'file.design': { filename: '效果图.pdf', content: SAMPLES.pdf() } });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /correction-file\.site_photo-error/);
    res = await postMultipart(citizen, `/services/mine/${caseId}/materials`, {}, { 'file.design': { filename: '效果图.pdf', content: SAMPLES.pdf() }, 'file.site_photo': { filename: '照片.png', content: SAMPLES.png() } });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));

    // A second correction request is not offered any more; acceptance goes ahead.
    page = html(await get(clerk, `/console/approval/cases/${caseId}`));
    assert.match(page, /不能再次要求补正/);
    const accept = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"]+)"/.exec(page)![1];
    // 受理 is a deliberate choice: nothing is chosen beforehand, an empty form is refused with
    // every error at once, and 受理 needs its confirmation ticked.
    const choices = /<fieldset[^>]*id="task0-action"[\s\S]*?<\/fieldset>/.exec(page)![0];
    assert.doesNotMatch(choices, /checked/, 'no decision is pre-selected');
    assert.match(page, /name="confirm"/);
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${accept}`, { confirmable: '1', expectedVersion: fieldValue(page, 'expectedVersion')! });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /请选择一种办理意见/);
    assert.match(res.body, /请勾选确认后再提交受理决定/);
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${accept}`, { action: 'accept', confirmable: '1', expectedVersion: fieldValue(page, 'expectedVersion')! });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /请勾选确认后再提交受理决定/);
    assert.doesNotMatch(res.body, /请选择一种办理意见/);
    assert.equal((await get(clerk, `/api/v1/approval/applications/${caseId}`)).json().state, 'submitted', 'nothing was accepted');
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${accept}`, { action: 'accept', confirm: '1', confirmable: '1', opinion: '材料齐全', expectedVersion: fieldValue(page, 'expectedVersion')! });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    // The same form again: the task is done (409), shown on the page.
    res = await post(clerk, `/console/approval/cases/${caseId}/tasks/${accept}`, { action: 'accept', confirm: '1', confirmable: '1', expectedVersion: fieldValue(page, 'expectedVersion')! });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /刚刚已由他人办理/);

    // Both departments approve in parallel; reject needs its reasons.
    for (const user of [staff.planner, staff.fireman]) {
      const b = await staffBrowser(user);
      const p = html(await get(b, `/console/approval/cases/${caseId}`));
      const id = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"]+)"/.exec(p)![1];
      const noReason = await post(b, `/console/approval/cases/${caseId}/tasks/${id}`, { action: 'reject', opinion: '', expectedVersion: fieldValue(p, 'expectedVersion')! });
      assert.equal(noReason.statusCode, 400);
      assert.match(noReason.body, /task0-opinion-error/);
      const ok = await post(b, `/console/approval/cases/${caseId}/tasks/${id}`, { action: 'approve', opinion: '同意', expectedVersion: fieldValue(p, 'expectedVersion')! });
      assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
    }
    const leader = await staffBrowser(staff.leader);
    const p = html(await get(leader, '/console/approval/tasks'));
    assert.match(p, new RegExp(caseId));
    const casePage = html(await get(leader, `/console/approval/cases/${caseId}`));
    const decide = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"]+)"/.exec(casePage)![1];
    res = await post(leader, `/console/approval/cases/${caseId}/tasks/${decide}`, { action: 'approve', opinion: '准予许可', expectedVersion: fieldValue(casePage, 'expectedVersion')! });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const done = html(await get(leader, `/console/approval/cases/${caseId}`));
    assert.match(done, /准予许可/);
    assert.match(done, /一次性告知补正材料/, 'the timeline shows the correction request');
    assert.match(done, /规划审查.*同意|同意.*规划审查/s);

    const citizenPage = html(await get(citizen, `/services/mine/${caseId}`));
    const code = /\/services\/certificates\/([A-Z0-9]{16})/.exec(citizenPage)![1];
    const certificate = html(await get(null, `/services/certificates/${code}`));
    assert.match(certificate, /核验通过/);
    assert.match(certificate, /户外广告设施设置许可决定书/);
    assert.match(certificate, /<img class="qr" src="data:image\/svg\+xml;base64,/);
    assert.match(certificate, new RegExp(`https://zw.example.gov.cn/services/certificates/${code}`));
    assert.equal((await get(null, `/services/certificates?code=${code.toLowerCase()}`)).headers.location, `/services/certificates/${code}`);
    assert.equal((await get(null, '/services/certificates/AAAAAAAAAAAAAAAA')).statusCode, 404);

    const api = await ctx.app.inject({ url: `/api/v1/public/certificates/${code}` });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().valid, true);
    // One changed character in the stored content: the check fails on both the page and the API.
    await sql`update approval_certificates set content = jsonb_set(content, '{applicantName}', '"王小朋"') where verification_code = ${code}`.execute(ctx.platform.db);
    const tampered = await ctx.app.inject({ url: `/api/v1/public/certificates/${code}` });
    assert.deepEqual([tampered.json().valid, tampered.json().checks.digest, tampered.json().checks.signature], [false, false, false]);
    assert.match(html(await get(null, `/services/certificates/${code}`)), /核验未通过/);

    const results = html(await get(null, '/services/results'));
    assert.match(results, new RegExp(receiptNo));
    assert.doesNotMatch(results, /王小明|王小朋/, 'no natural person is named in the public results');
    const resultsApi = await ctx.app.inject({ url: '/api/v1/public/results' });
    assert.equal(resultsApi.json().items[0].outcome, 'approved');
    assert.equal(resultsApi.json().items[0].enterpriseName, null);
  });
});

describe('public API bad input and English pages', () => {
  test('the public routes refuse malformed queries and unknown fields', async () => {
    for (const url of [
      '/api/v1/public/progress?receiptNo=1',
      '/api/v1/public/progress?phone=1',
      `/api/v1/public/progress?receiptNo=${'1'.repeat(41)}&phone=1`,
      '/api/v1/public/results?limit=0',
      '/api/v1/public/results?limit=201',
      '/api/v1/public/results?cursor=garbage',
      '/api/v1/public/results?unknown=1',
    ]) {
      const res = await ctx.app.inject({ url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    assert.equal((await ctx.app.inject({ url: '/api/v1/public/certificates/not-a-code' })).statusCode, 404);
    assert.equal((await ctx.app.inject({ url: `/api/v1/public/certificates/${'A'.repeat(41)}` })).statusCode, 400);
    assert.equal((await ctx.app.inject({ url: '/api/v1/public/progress?receiptNo=abc&phone=13900000000' })).statusCode, 404);
    const doc = (await ctx.app.inject({ url: '/api/docs/json' })).json() as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/v1/public/progress'] && doc.paths['/api/v1/public/certificates/{code}'] && doc.paths['/api/v1/public/results']);
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/services') || p.startsWith('/console/approval') || p === '/register'), 'pages stay out of the API document');
  });

  test('the pages speak English when asked', async () => {
    const hall = html(await get(null, '/services?lang=en'));
    assert.match(hall, /<html lang="en"/);
    assert.match(hall, /Online service hall/);
    const guide = html(await get(null, `/services/items/${item.id}?lang=en`));
    assert.match(guide, /Statutory time limit/);
    assert.match(html(await get(null, '/services/progress?lang=en')), /Application progress/);
  });
});

describe('window intake', () => {
  test('a clerk files a paper application with materials and accepts it on the spot (当场受理)', async () => {
    const clerk = await staffBrowser(staff.clerk);
    const list = html(await get(clerk, encodeURI('/console/approval/intake?q=广告')));
    assert.match(list, new RegExp(`/console/approval/intake/${item.id}`));
    const form = html(await get(clerk, `/console/approval/intake/${item.id}`));
    const res = await postMultipart(
      clerk,
      `/console/approval/intake/${item.id}`,
      { _submission: fieldValue(form, '_submission')!, 'applicant.kind': 'enterprise', 'applicant.name': '测试市广告有限公司', 'applicant.creditCode': '91990100MA0000000X', 'applicant.phone': '13800000000', 'form.address': '人民路 2 号', 'form.area': '3' },
      { 'file.application_form': { filename: 'scan.pdf', content: SAMPLES.pdf() }, 'file.site_photo': { filename: 'p.png', content: SAMPLES.png() } },
    );
    // The credit code's check character is wrong: the form comes back with the message at the field.
    assert.equal(res.statusCode, 400, res.body.slice(0, 400));
    assert.match(res.body, /intake-applicant\.creditCode-error/);
    assert.ok(fieldValue(res.body, 'kept.application_form'));
    const fixed = await postMultipart(
      clerk,
      `/console/approval/intake/${item.id}`,
      {
        _submission: fieldValue(res.body, '_submission')!,
        'applicant.kind': 'enterprise',
        'applicant.name': '测试市广告有限公司',
        'applicant.creditCode': creditCodeFor('91990100MA000000'),
        'applicant.phone': '13800000000',
        'form.address': '人民路 2 号',
        'form.area': '3',
        'kept.application_form': fieldValue(res.body, 'kept.application_form')!,
        'kept.site_photo': fieldValue(res.body, 'kept.site_photo')!,
      },
      {},
    );
    assert.equal(fixed.statusCode, 303, fixed.body.slice(0, 600));
    const caseUrl = location(fixed);
    assert.match(caseUrl, /^\/console\/approval\/cases\//);
    const own = html(await get(clerk, caseUrl));
    assert.match(own, /窗口收件/);
    const taskId = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"]+)"/.exec(own)![1];
    // 当场受理: the clerk who registered it at the window accepts it on the spot.
    const ok = await post(clerk, `/console/approval/cases/${caseUrl.split('/').pop()}/tasks/${taskId}`, { action: 'accept', confirm: '1', confirmable: '1', expectedVersion: fieldValue(own, 'expectedVersion')! });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 400));
    // A citizen account cannot reach the console pages.
    const citizen = await registerCitizen('citizen09', '13900000009');
    // A citizen is never shown a staff page: the console sends them to the portal.
    const staffPage = await get(citizen, '/console/approval/tasks');
    assert.equal(staffPage.statusCode, 303);
    assert.equal(location(staffPage), '/account');
  });
});

/** A valid credit code from its first 16 characters plus one more. */
function creditCodeFor(first16: string): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const first17 = `${first16}1`;
  const sum = [...first17].reduce((acc, c, i) => acc + chars.indexOf(c) * weights[i], 0);
  return first17 + chars[(31 - (sum % 31)) % 31];
}

describe('catalogue editor', () => {
  test('rows are added and removed with submit buttons; the item is saved, previewed, published and versioned', async () => {
    const leader = await staffBrowser(staff.leader);
    const list = html(await get(leader, '/console/approval/items?status=published'));
    assert.match(list, /户外广告设施设置审批/);
    let page = html(await get(leader, '/console/approval/items/new'));
    assert.equal(fieldValue(page, 'process.stages.0.parallel.0.key'), 'accept');

    const base: Record<string, string | string[]> = {
      name: '临时占用城市道路审批',
      kind: 'licensing',
      unitId: units.window.id,
      resultName: '临时占用城市道路许可决定书',
      statutoryDays: '20',
      promisedDays: '25',
      maxVisits: '1',
      consultPhone: '0999-1234',
      complaintPhone: '12345',
      themes: '城市管理、交通',
      lifeEvents: '',
      legalBasis: '《城市道路管理条例》第三十一条',
      conditions: '确需临时占用',
      'fee.charged': 'no',
      'fee.amount': '',
      'fee.basis': '',
      'materials.0.key': 'application_form',
      'materials.0.name': '申请书',
      'materials.0.copies': '1',
      'materials.0.required': 'on',
      'materials.0.description': '',
      'process.stages.0.parallel.0.key': 'accept',
      'process.stages.0.parallel.0.name': '受理',
      'process.stages.0.parallel.0.unitId': units.window.id,
      'process.stages.0.parallel.0.role': 'window_clerk',
      'process.stages.0.parallel.0.days': '1',
    };
    // Add a stage, then a parallel step to it: the form comes back with the new rows, nothing saved.
    let res = await post(leader, '/console/approval/items/new', { ...base, op: 'add-stage' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /name="process\.stages\.1\.parallel\.0\.name"[^>]*autofocus/);
    res = await post(leader, '/console/approval/items/new', {
      ...base,
      'process.stages.1.parallel.0.key': 'review',
      'process.stages.1.parallel.0.name': '审查',
      'process.stages.1.parallel.0.unitId': units.planning.id,
      'process.stages.1.parallel.0.role': 'approver',
      'process.stages.1.parallel.0.days': '3',
      op: 'add-step:1',
    });
    assert.match(res.body, /name="process\.stages\.1\.parallel\.1\.name"/);
    assert.match(res.body, /第 2 环节（2 个部门并联）/);
    const twoSteps = {
      ...base,
      'process.stages.1.mode': 'all',
      'process.stages.1.parallel.0.key': 'review',
      'process.stages.1.parallel.0.name': '审查',
      'process.stages.1.parallel.0.unitId': units.planning.id,
      'process.stages.1.parallel.0.role': 'approver',
      'process.stages.1.parallel.0.days': '3',
      'process.stages.1.parallel.1.key': 'fire',
      'process.stages.1.parallel.1.name': '消防',
      'process.stages.1.parallel.1.unitId': units.fire.id,
      'process.stages.1.parallel.1.role': 'window_clerk',
      'process.stages.1.parallel.1.days': 'x',
    };
    res = await post(leader, '/console/approval/items/new', { ...twoSteps, op: 'remove-material:0' });
    assert.doesNotMatch(res.body, /name="materials\.0\.key"/);

    // Save: wrong days and a later acceptance role are reported at their inputs; promised over statutory too.
    res = await post(leader, '/console/approval/items/new', { ...twoSteps, op: 'save' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /item-process\.stages\.1\.parallel\.1\.days-error/);
    res = await post(leader, '/console/approval/items/new', { ...twoSteps, 'process.stages.1.parallel.1.days': '3', op: 'save' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /item-promisedDays-error/);
    assert.match(res.body, /item-process\.stages\.1\.parallel\.1\.role-error/);

    const good = { ...twoSteps, promisedDays: '10', 'process.stages.1.parallel.1.days': '3', 'process.stages.1.parallel.1.role': 'approver' };
    res = await post(leader, '/console/approval/items/new', { ...good, op: 'preview' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /办事指南预览/);
    assert.match(res.body, /以下 2 个部门并联审查/);
    const { rows: none } = await sql<{ n: number }>`select count(*)::int as n from approval_items where name = '临时占用城市道路审批'`.execute(ctx.platform.db);
    assert.equal(none[0].n, 0, 'preview saves nothing');

    // With htmx the refused form answers 200 so that it is swapped in.
    const hx = await post(leader, '/console/approval/items/new', { ...twoSteps, op: 'save' }, { headers: { 'hx-request': 'true' } });
    assert.equal(hx.statusCode, 200);
    assert.match(hx.body, /error-summary/);

    res = await post(leader, '/console/approval/items/new', { ...good, op: 'save' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 800));
    const itemUrl = location(res);
    page = html(await get(leader, itemUrl));
    assert.match(page, /草稿/);
    assert.match(page, /办事指南预览/);
    const newId = itemUrl.split('/').pop()!;
    const editVersion = fieldValue(page, 'editVersion')!;
    res = await post(leader, `/console/approval/items/${newId}/publish`, { editVersion });
    assert.equal(res.statusCode, 303);
    page = html(await get(leader, itemUrl));
    assert.match(page, /已发布“临时占用城市道路审批”第 1 版/);
    assert.match(html(await get(null, '/services')), /临时占用城市道路审批/);
    // Publishing again is refused without a change.
    res = await post(leader, `/console/approval/items/${newId}/publish`, { editVersion });
    assert.equal(res.statusCode, 303);

    // Changing a published item opens version 2 as a draft; the published one stays.
    res = await post(leader, `/console/approval/items/${newId}/new-version`, {});
    assert.equal(res.statusCode, 303);
    const editUrl = location(res);
    assert.match(editUrl, /\/edit$/);
    page = html(await get(leader, editUrl));
    assert.match(page, /第 2 版/);
    res = await post(leader, editUrl, { ...good, code: '', name: '临时占用城市道路审批（修订）', editVersion: fieldValue(page, 'editVersion')!, op: 'save' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 800));
    page = html(await get(leader, location(res)));
    assert.match(page, /全部版本/);
    assert.match(page, /历史版本|已发布/);

    // Someone without the catalogue permission gets no access.
    const clerk = await staffBrowser(staff.clerk);
    assert.equal((await get(clerk, '/console/approval/items')).statusCode, 403);
  });
});

describe('case panels: reassignment, clock stops, extensions and fees', () => {
  let caseId: string;
  const caseUrl = () => `/console/approval/cases/${caseId}`;
  const apiView = async (user: TestUser) => {
    const res = await ctx.app.inject({ url: `/api/v1/approval/applications/${caseId}`, headers: { authorization: `Bearer ${user.token}` } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { state: string; clockStopped: string | null; extensionDays: number; dueDate: string; actions: Array<{ type: string }>; events: Array<{ type: string; payload: Record<string, unknown> }> };
  };
  const eventCount = async (type: string) => (await sql<{ n: number }>`select count(*)::int as n from approval_events where application_id = ${caseId} and type = ${type}`.execute(ctx.platform.db)).rows[0].n;
  const timelineOf = (page: string) => /<ol class="role-list timeline">([\s\S]*?)<\/ol>/.exec(page)?.[1] ?? '';

  before(async () => {
    // A paper application filed through the API by the first clerk (the filer may not be handed its acceptance).
    const upload = multipartBody([{ name: 'file', filename: 'scan.pdf', content: SAMPLES.pdf() }]);
    const file = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: upload.payload, headers: { ...upload.headers, authorization: `Bearer ${staff.clerk.token}` } });
    assert.equal(file.statusCode, 201, file.body);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/approval/applications',
      headers: { authorization: `Bearer ${staff.clerk.token}` },
      payload: {
        itemId: item.id,
        channel: 'window',
        applicant: { kind: 'person', name: '李四', idNumber: idNumber(), phone: '13700000001' },
        form: { address: '测试市人民路 9 号', area: 4 },
        materials: [{ materialKey: 'application_form', fileId: file.json().id }],
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    caseId = res.json().id;
  });

  test('a unit leader hands the acceptance to another clerk; others do not see the control', async () => {
    const planner = await staffBrowser(staff.planner);
    const planned = await get(planner, caseUrl());
    assert.equal(planned.statusCode, 200);
    assert.doesNotMatch(planned.body, /\/reassign"/, 'an approver has no reassign control');
    assert.equal((await post(planner, `${caseUrl()}/tasks/x/reassign`, { userId: staff.clerk2.id })).statusCode, 403);

    const leader = await staffBrowser(staff.leader);
    const page = html(await get(leader, caseUrl()));
    const action = /action="(\/console\/approval\/cases\/[^"]+\/tasks\/([^"/]+)\/reassign)"/.exec(page)!;
    assert.ok(action, 'the leader sees the reassign control');
    const options = /<select[^>]*name="userId"[\s\S]*?<\/select>/.exec(page)![0];
    assert.match(options, new RegExp(`value="${staff.clerk2.id}"`));
    assert.doesNotMatch(options, new RegExp(`value="${staff.clerk.id}"`), 'the filing clerk is not offered');
    assert.match(page, /<label for="reassign0-userId">/);

    // Nobody chosen, then the filer forced in: refused at the select, nothing handed over.
    let res = await post(leader, action[1], { userId: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="reassign0-userId-error"/);
    assert.match(res.body, /aria-describedby="reassign0-userId-error"/);
    res = await post(leader, action[1], { userId: staff.clerk.id });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /该人员不能办理此环节/);
    assert.equal(await eventCount('reassigned'), 0);

    res = await post(leader, action[1], { userId: staff.clerk2.id });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    assert.equal(location(res), caseUrl());
    const after = html(await get(leader, caseUrl()));
    assert.match(after, new RegExp(`已转交 ${staff.clerk2.username} 办理`), 'the flash names the new holder');
    assert.match(timelineOf(after), new RegExp(`将“受理”转交 ${staff.clerk2.username} 办理`));
    const view = await apiView(staff.leader);
    assert.ok(view.actions.some((a) => a.type === 'reassign'));
    assert.equal(view.events.find((e) => e.type === 'reassigned')?.payload.to, staff.clerk2.id);

    // The new holder accepts it on the page.
    const clerk2 = await staffBrowser(staff.clerk2);
    const own = html(await get(clerk2, caseUrl()));
    const taskId = /action="\/console\/approval\/cases\/[^/]+\/tasks\/([^"/]+)"/.exec(own)![1];
    res = await post(clerk2, `${caseUrl()}/tasks/${taskId}`, { action: 'accept', confirm: '1', expectedVersion: fieldValue(own, 'expectedVersion')! });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  });

  test('a handler stops the clock for a hearing and starts it again; bad input and outsiders are refused', async () => {
    const planner = await staffBrowser(staff.planner);
    let page = html(await get(planner, caseUrl()));
    assert.match(page, /action="\/console\/approval\/cases\/[^"]+\/clock-stops"/);
    assert.match(page, /<fieldset[^>]*id="clockStop-reason"/);
    assert.match(page, /<legend class="fieldset-legend"><span>暂停原因<\/span>/);

    let res = await post(planner, `${caseUrl()}/clock-stops`, { reason: 'hearing', note: '  ' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="clockStop-note-error"/);
    assert.match(res.body, /请填写理由/);
    assert.match(res.body, /class="error-summary"/);
    res = await post(planner, `${caseUrl()}/clock-stops`, { reason: 'correction', note: '想要补正' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="clockStop-reason-error"/);
    assert.match(res.body, /想要补正/, 'what was typed comes back');
    assert.equal(await eventCount('clock_stopped'), 0);

    // A window clerk holds no approval.handle; another department's handler does not see the case.
    const clerk = await staffBrowser(staff.clerk);
    assert.doesNotMatch(html(await get(clerk, caseUrl())), /clock-stops"/);
    assert.equal((await post(clerk, `${caseUrl()}/clock-stops`, { reason: 'hearing', note: '听证' })).statusCode, 403);
    const stranger = await staffBrowser(staff.stranger);
    assert.equal((await post(stranger, `${caseUrl()}/clock-stops`, { reason: 'hearing', note: '听证' })).statusCode, 404);
    assert.equal(await eventCount('clock_stopped'), 0);

    res = await post(planner, `${caseUrl()}/clock-stops`, { reason: 'hearing', note: '11 月 10 日举行听证会' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    page = html(await get(planner, caseUrl()));
    assert.match(page, /已暂停计时/);
    assert.match(page, /本件当前暂停计时：听证/);
    assert.match(page, /action="\/console\/approval\/cases\/[^"]+\/clock-stops\/resume"/);
    assert.doesNotMatch(page, /clock-stops"/, 'no second stop while stopped');
    assert.match(timelineOf(page), /暂停计时：听证[\s\S]*11 月 10 日举行听证会/);
    assert.equal((await apiView(staff.planner)).clockStopped, 'hearing');

    res = await post(planner, `${caseUrl()}/clock-stops/resume`, { note: '听证结束' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    page = html(await get(planner, caseUrl()));
    assert.match(page, /已恢复计时，办结期限 \d{4}-\d{2}-\d{2}/);
    assert.match(timelineOf(page), /恢复计时[\s\S]*听证结束/);
    assert.equal((await apiView(staff.planner)).clockStopped, null);
    // Resuming again: the clock runs, the refusal is shown on the page.
    res = await post(planner, `${caseUrl()}/clock-stops/resume`, {});
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /没有处于听证、检验检测或公示的暂停计时中/);
  });

  test('only a unit leader extends, within the limit, with a reason', async () => {
    const planner = await staffBrowser(staff.planner);
    assert.doesNotMatch(html(await get(planner, caseUrl())), /\/extensions"/, 'an approver has no extension form');
    assert.equal((await post(planner, `${caseUrl()}/extensions`, { days: '2', reason: '复杂' })).statusCode, 403);

    const leader = await staffBrowser(staff.leader);
    let page = html(await get(leader, caseUrl()));
    assert.match(page, /已延期 0 个工作日，合计不得超过 10 个工作日，还可延长 10 个工作日/);
    const dueBefore = (await apiView(staff.leader)).dueDate;
    let res = await post(leader, `${caseUrl()}/extensions`, { days: '11', reason: '需要现场勘验' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="extension-days-error"[^>]*>延期合计不得超过 10 个工作日，本件还可延长 10 个工作日/);
    res = await post(leader, `${caseUrl()}/extensions`, { days: 'abc', reason: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="extension-days-error"/);
    assert.match(res.body, /id="extension-reason-error"/);
    assert.match(res.body, /href="#extension-reason"/, 'the summary links to the field');
    assert.match(res.body, /name="days"[^>]*value="abc"/, 'what was typed comes back');
    assert.equal((await apiView(staff.leader)).extensionDays, 0);

    res = await post(leader, `${caseUrl()}/extensions`, { days: '3', reason: '需要现场勘验' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    page = html(await get(leader, caseUrl()));
    assert.match(page, /已延期 3 个工作日，办结期限/);
    assert.match(page, /还可延长 7 个工作日/);
    const view = await apiView(staff.leader);
    assert.match(timelineOf(page), new RegExp(`批准延期 3 个工作日，办结期限改为 ${view.dueDate}[\\s\\S]*需要现场勘验`));
    assert.equal(view.extensionDays, 3);
    assert.ok(view.dueDate > dueBefore, `${view.dueDate} after ${dueBefore}`);

    // The refusal speaks the caller's language.
    const english = await post(leader, `${caseUrl()}/extensions?lang=en`, { days: '8', reason: 'more' });
    assert.equal(english.statusCode, 400);
    assert.match(english.body, /Extensions add up to at most 10 working days; 7 are left for this case/);
    assert.match(english.body, /<label for="extension-days"><span>Working days to add<\/span>/);
    assert.match(english.body, /Stop the clock/);
  });

  test('fees are recorded in yuan to the fen, refunds need a note, and the list shows them', async () => {
    const clerk = await staffBrowser(staff.clerk);
    let page = html(await get(clerk, caseUrl()));
    assert.match(page, /收费标准：不收费/);
    assert.match(page, /尚未登记收费/);

    let res = await post(clerk, `${caseUrl()}/fees`, { amount: '十二元', note: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="fee-amount-error"[^>]*>金额以元为单位/);
    assert.match(res.body, /value="十二元"/);
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '0', note: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="fee-amount-error"[^>]*>收费金额不能为 0/);
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '12.345', note: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(await eventCount('fee_charged'), 0);
    const stranger = await staffBrowser(staff.stranger);
    assert.equal((await post(stranger, `${caseUrl()}/fees`, { amount: '10', note: '' })).statusCode, 404);

    // 0.29 yuan is 29 fen, not 28.999…
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '120.29', note: '工本费' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '-20.5', note: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="fee-note-error"[^>]*>退费（负数金额）须注明原因/);
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '-500', note: '多收' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /退费金额超过已收费用（已收 120\.29 元）/);
    res = await post(clerk, `${caseUrl()}/fees`, { amount: '-20.5', note: '多收退还' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));

    page = html(await get(clerk, caseUrl()));
    assert.match(page, /已登记 -20\.50 元，累计 99\.79 元/);
    assert.match(page, /<td class="mono">120\.29<\/td>/);
    assert.match(page, /<td class="mono">-20\.50<\/td>/);
    assert.match(page, /合计 99\.79 元/);
    const timeline = timelineOf(page);
    assert.match(timeline, /登记收费 120\.29 元（累计 120\.29 元）/);
    assert.match(timeline, /登记退费 20\.50 元（累计 99\.79 元）[\s\S]*多收退还/);
    const fees = (await apiView(staff.clerk)).events.filter((e) => e.type === 'fee_charged').map((e) => e.payload.amountFen);
    assert.deepEqual(fees, [12029, -2050]);
  });
});

describe('catalogue files', () => {
  const itemCount = async () => (await sql<{ n: number }>`select count(*)::int as n from approval_items`.execute(ctx.platform.db)).rows[0].n;
  /** The item of the tests as another service: a new code, another name, changes on top. */
  const variant = (code: string, name: string, changes: Partial<Item> = {}): Item => ({ ...item, code, name, ...changes });
  const workbookOf = (items: Item[]) => writeCatalogueWorkbook(items, new Map([[units.window.id, units.window.name]]));
  const importPage = (b: Browser, filename: string, content: Buffer, fields: Record<string, string> = {}, options: { csrf?: string } = {}) =>
    postMultipart(b, '/console/approval/catalogue/import', fields, { file: { filename, content } }, options);
  const hrefs = (page: string, pattern: RegExp) => [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).filter((h) => pattern.test(h));
  const problemRows = (page: string) => [...(/<table[^>]*>[\s\S]*?<\/table>/.exec(page.slice(page.indexOf('id="import-problems"')))?.[0] ?? '').matchAll(/<tr>\s*<td class="mono">([^<]*)<\/td>/g)].map((m) => m[1]);

  test('the list links to the exports of the unit it shows and to the import page; the files are attachments', async () => {
    const leader = await staffBrowser(staff.leader);
    const list = html(await get(leader, `/console/approval/items?status=published&unitId=${units.window.id}`));
    assert.match(list, /户外广告设施设置审批/);
    assert.match(list, /href="\/console\/approval\/catalogue\/import"/);
    const exports = hrefs(list, /catalogue\/export/);
    assert.equal(exports.length, 4);
    assert.ok(exports.every((h) => h.includes(`unitId=${units.window.id}`)));

    const xlsx = await get(leader, exports.find((h) => h.includes('format=xlsx') && h.includes('status=published'))!);
    assert.equal(xlsx.statusCode, 200);
    assert.match(String(xlsx.headers['content-type']), /spreadsheetml/);
    assert.match(String(xlsx.headers['content-disposition']), /^attachment/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as never);
    assert.deepEqual(workbook.worksheets.map((w) => w.name), ['事项', '申请材料', '办理流程', '填写说明']);
    assert.equal(workbook.getWorksheet('事项')!.getCell('B2').value, '户外广告设施设置审批');

    const json = await get(leader, exports.find((h) => h.includes('format=json') && h.includes('status=published'))!);
    assert.equal(json.statusCode, 200);
    assert.match(String(json.headers['content-disposition']), /^attachment/);
    assert.ok(json.json().items.some((i: { code: string }) => i.code === item.code));
    // A link followed after the session ended leads to the sign-in page, then back to the file.
    const signedOut = await get({ cookies: {}, csrf: '' }, exports[0]);
    assert.equal(signedOut.statusCode, 303);
    assert.equal(location(signedOut), `/console/login?next=${encodeURIComponent(exports[0])}`);
    assert.equal((await get(leader, `${exports[0]}&format=pdf`)).statusCode, 400, 'an unknown format');

    const importForm = html(await get(leader, '/console/approval/catalogue/import'));
    assert.match(importForm, /enctype="multipart\/form-data"/);
    assert.match(importForm, /accept="\.xlsx,\.json"/);
    assert.match(importForm, /<input[^>]*type="file"[^>]*aria-describedby="import-file-hint"/);
    const template = await get(leader, hrefs(importForm, /catalogue\/template/)[0]);
    assert.equal(template.statusCode, 200);
    assert.match(String(template.headers['content-disposition']), /^attachment/);
    const empty = new ExcelJS.Workbook();
    await empty.xlsx.load(template.rawPayload as never);
    assert.equal(empty.getWorksheet('事项')!.actualRowCount, 1, 'the headings only');

    for (const url of ['/console/approval/items?lang=en', '/console/approval/catalogue/import?lang=en']) {
      const english = html(await get(leader, url));
      assert.match(english, /Export and import|Import services/, url);
      assert.doesNotMatch(english, /\bpage\.approval\.[a-zA-Z.]+/, `${url}: every text translated`);
    }
  });

  test('an Excel workbook imports as drafts, or published with the box ticked, and the items are listed', async () => {
    const leader = await staffBrowser(staff.leader);
    const before = await itemCount();
    let res = await importPage(leader, '目录.xlsx', await workbookOf([variant('PAGE-XLSX-0001', '页面导入事项甲'), variant('PAGE-XLSX-0002', '页面导入事项乙')]));
    assert.equal(res.statusCode, 200, res.body);
    let page = html(res);
    assert.match(page, /已导入 2 个事项：新建 2 个，更新 0 个，发布 0 个/);
    const links = hrefs(page, /^\/console\/approval\/items\/[^/]+$/);
    assert.equal(links.length, 2);
    assert.equal(await itemCount(), before + 2);
    const drafts = html(await get(leader, encodeURI('/console/approval/items?status=draft&q=页面导入')));
    assert.match(drafts, /页面导入事项甲[\s\S]*页面导入事项乙/);

    // The same codes again, published at once: the drafts are updated and published.
    res = await importPage(leader, '目录.xlsx', await workbookOf([variant('PAGE-XLSX-0001', '页面导入事项甲'), variant('PAGE-XLSX-0002', '页面导入事项乙')]), { publish: 'on' });
    page = html(res);
    assert.match(page, /新建 0 个，更新 2 个，发布 2 个/);
    assert.equal(await itemCount(), before + 2);
    const published = html(await get(leader, encodeURI('/console/approval/items?status=published&q=页面导入')));
    assert.match(published, /页面导入事项甲[\s\S]*页面导入事项乙/);
  });

  test('a workbook with errors lists every problem at its cell, in the caller’s language, and imports nothing', async () => {
    const leader = await staffBrowser(staff.leader);
    const before = await itemCount();
    const broken = await workbookOf([
      variant('PAGE-BAD-0001', '有误事项甲', { promisedDays: 30 }),
      variant('PAGE-BAD-0002', '有误事项乙', { materials: [item.materials[0], { ...item.materials[1], key: item.materials[0].key }] }),
    ]);
    const res = await importPage(leader, 'broken.xlsx', broken);
    assert.equal(res.statusCode, 422);
    const page = html(res);
    assert.match(page, /class="error-summary"/);
    assert.match(page, /文件中有 2 处问题，未导入任何事项/);
    assert.match(page, /<caption[^>]*>broken\.xlsx 中的问题<\/caption>/);
    assert.match(page, /<th scope="col">位置<\/th>/);
    // The first item's three materials take rows 2 to 4: the repeated key is the second item's second material.
    assert.deepEqual(problemRows(page), ['事项!I2', '申请材料!B6']);
    assert.match(page, /承诺时限（30 个工作日）不能超过法定时限（20 个工作日）/);
    assert.equal(await itemCount(), before, 'nothing imported');

    leader.cookies.zt_lang = 'en';
    const english = html(await importPage(leader, 'broken.xlsx', broken));
    assert.match(english, /2 problems in the file: nothing was imported/);
    assert.match(english, /Promised days \(30\) may not exceed statutory days \(20\)/);
    assert.equal(await itemCount(), before);
  });

  test('a JSON export imports; malformed JSON, other files, empty and missing files and too large ones are refused at the file input', async () => {
    const leader = await staffBrowser(staff.leader);
    const exported = (await get(leader, `/api/v1/approval/catalogue/export?format=json&unitId=${units.window.id}`)).json();
    exported.items = exported.items.map((i: { code: string; name: string }) => ({ ...i, code: `JSON-${i.code}`, name: `${i.name}（JSON）` }));
    const before = await itemCount();
    const res = await importPage(leader, 'catalogue.json', Buffer.from(`\uFEFF${JSON.stringify(exported)}`));
    assert.equal(res.statusCode, 200, res.body);
    assert.match(html(res), new RegExp(`已导入 ${exported.items.length} 个事项：新建 ${exported.items.length} 个`));
    assert.equal(await itemCount(), before + exported.items.length);

    const bad = structuredClone(exported);
    bad.items[0].promisedDays = 'soon';
    const refusedJson = html(await importPage(leader, 'catalogue.json', Buffer.from(JSON.stringify(bad))));
    assert.deepEqual(problemRows(refusedJson), ['items.0.promisedDays']);

    const refusals: Array<[string, Buffer, number, RegExp]> = [
      ['broken.json', Buffer.from('{"items": [ {"name": '), 400, /JSON 格式错误，无法解析/],
      ['list.json', Buffer.from('[]'), 400, /包含 items 列表的对象/],
      ['scan.pdf', SAMPLES.pdf(), 415, /既不是 Excel 工作簿（\.xlsx），也不是 JSON 文件/],
      ['empty.xlsx', Buffer.alloc(0), 400, /文件是空的/],
      ['huge.json', Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x20), 413, /10 ?MB/],
    ];
    for (const [filename, content, status, message] of refusals) {
      const refused = await importPage(leader, filename, content);
      assert.equal(refused.statusCode, status, filename);
      const page = html(refused);
      assert.match(page, message, filename);
      assert.match(page, /<a href="#import-file">/, `${filename}: the summary links to the file input`);
      assert.match(page, /aria-describedby="import-file-hint import-file-error"/);
    }
    const none = await postMultipart(leader, '/console/approval/catalogue/import', { publish: 'on' }, {});
    assert.equal(none.statusCode, 400);
    assert.match(html(none), /请选择要导入的文件/);
    assert.match(none.body, /name="publish" value="on" checked/, 'the box stays ticked');
    // A zip that is no workbook: the reader says so about the whole file.
    const zip = html(await importPage(leader, 'other.zip', SAMPLES.zip()));
    assert.deepEqual(problemRows(zip), ['整个文件']);
    assert.equal(await itemCount(), before + exported.items.length);
  });

  test('the import needs the catalogue permission and the session token', async () => {
    const workbook = await workbookOf([variant('PAGE-DENY-0001', '不应导入的事项')]);
    const before = await itemCount();
    const clerk = await staffBrowser(staff.clerk);
    const page = await get(clerk, '/console/approval/catalogue/import');
    assert.equal(page.statusCode, 403);
    assert.match(html(page), /没有执行此操作的权限/);
    assert.equal((await importPage(clerk, 'a.xlsx', workbook)).statusCode, 403);
    assert.doesNotMatch(html(await get(clerk, '/console/approval/tasks')), /catalogue\/import/);

    const leader = await staffBrowser(staff.leader);
    const forged = await importPage(leader, 'a.xlsx', workbook, {}, { csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    assert.equal(await itemCount(), before);
  });
});
