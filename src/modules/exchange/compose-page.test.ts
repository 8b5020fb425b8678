// The console's compose page and the sign-off form handlers, as a browser without JavaScript uses
// them: every element on the form, the element checks (the 检查要素 button, and the fragment htmx
// swaps in as you type), refusals shown beside their fields, saving, 送签 and a decision.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { translate } from '../../platform/i18n/index.ts';
import { authenticateBearer } from '../../platform/iam/index.ts';
import type { ViewContext } from '../../platform/views/index.ts';
import { SignoffPanel, signoffPanelData } from './pages/signoff-panel.tsx';
import { bearer, createTestContext, loginSession, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z'));
let ctx: TestContext;
let office: { id: string; name: string };
let county: { id: string; name: string };
let clerk: TestUser;
let leader: TestUser;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  office = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100');
  county = await makeUnit(ctx.platform, '甲县人民政府', '990102');
  clerk = await makeUser(ctx.platform, office.id, ['doc_clerk']);
  leader = await makeUser(ctx.platform, office.id, ['unit_leader']);
});
after(() => ctx?.close());

interface Session {
  cookie: string;
  csrf: string;
}
const signIn = async (user: TestUser): Promise<Session> => {
  const { cookie, csrfToken } = await loginSession(ctx.app, user.username);
  return { cookie, csrf: csrfToken };
};
const get = (s: Session, url: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const post = (s: Session, url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
  const body = new URLSearchParams({ _csrf: s.csrf });
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  return ctx.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: body.toString() });
};
const html = (res: LightMyRequestResponse) => {
  assert.match(String(res.headers['content-type']), /^text\/html/, `${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.body;
};
const text = (page: string) => page.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ');
const noRawKeys = (page: string) => assert.doesNotMatch(text(page), /\b(page\.exchange|exchange\.(doc|step|state|docType|secrecy|urgency|signoff))\.[a-zA-Z_]+/);

const form = (changes: Record<string, string | string[]> = {}) => ({
  title: '关于做好冬季供暖工作的通知',
  docNumber: '测府办发〔2026〕21号',
  docType: 'notice',
  secrecy: 'none',
  urgency: 'normal',
  mainRecipients: [county.id],
  body: '各县人民政府：\n现将有关事项通知如下。',
  writtenDate: '2026-11-02',
  ...changes,
});

test('the compose page has every element, picks recipients from the units, and has no raw keys in either language', async () => {
  const s = await signIn(clerk);
  const page = html(await get(s, '/console/exchange/documents/new'));
  for (const name of ['title', 'docNumber', 'docType', 'secrecy', 'secrecyPeriod', 'copyNo', 'urgency', 'issuingAuthority', 'signer', 'mainRecipients', 'ccRecipients', 'countersignUnitIds', 'body', 'attachments', 'writtenDate', 'printingUnit', 'printedDate', 'notes']) {
    assert.match(page, new RegExp(`<label for="compose-${name}"`), name);
    assert.match(page, new RegExp(`id="compose-${name}"[^>]*name="${name}"|name="${name}"[^>]*id="compose-${name}"`), name);
  }
  assert.ok(page.includes(`value="${county.id}"`) && page.includes(county.name), 'the units to pick');
  assert.match(page, /value="2026-11-02"/, 'today as the written date');
  assert.match(page, /data-hx-post="\/console\/exchange\/documents\/check"/, 'checks as you type');
  assert.match(page, /formaction="\/console\/exchange\/documents\/check"/, 'and a button without JavaScript');
  assert.match(page, /通知<\/option>/);
  noRawKeys(page);
  const english = html(await get(s, '/console/exchange/documents/new?lang=en'));
  noRawKeys(english);
  assert.match(english, /Document number/);
  assert.equal((await get(await signIn(leader), '/console/exchange/documents/new')).statusCode, 403, 'a leader does not draft');
});

test('checks as you type and without JavaScript; a refused form keeps what was typed and writes nothing; then save, submit and sign off', async () => {
  const s = await signIn(clerk);
  const checked = html(await post(s, '/console/exchange/documents/check', form({ docNumber: '测府办发〔26〕21号', _action: '/console/exchange/documents' }), { 'hx-request': 'true' }));
  assert.match(checked, /<div id="doc-checks"/);
  assert.match(checked, /年份应写全四位数字/);
  assert.match(checked, /value="测府办发〔26〕21号"/, 'the form keeps the values');
  const fine = html(await post(s, '/console/exchange/documents/check', form()));
  assert.match(fine, /各要素均符合要求/);

  const refused = await post(s, '/console/exchange/documents', form({ docNumber: '测府办发〔2026〕第21号', body: '<script>x</script>' }));
  assert.equal(refused.statusCode, 400);
  const page = html(refused);
  assert.match(page, /class="error-summary"/);
  assert.match(page, /序号前不加“第”字/);
  assert.match(page, /请填写正文/);
  assert.match(page, /value="关于做好冬季供暖工作的通知"/);
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/exchange/documents', headers: bearer(clerk) });
  assert.equal(list.json().items.length, 0, 'nothing written');

  const saved = await post(s, '/console/exchange/documents', form());
  assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
  const id = /\/console\/exchange\/documents\/([^/]+)\/edit$/.exec(String(saved.headers.location))![1];
  const edit = html(await get(s, `/console/exchange/documents/${id}/edit`));
  assert.match(edit, /各县人民政府：\n现将有关事项通知如下。<\/textarea>/, 'the body as lines');
  assert.match(edit, new RegExp(`option value="${county.id}" selected`));
  assert.match(edit, new RegExp(`action="/console/exchange/documents/${id}/submit"`));
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/exchange/documents/${id}`, headers: bearer(clerk) });
  assert.equal(view.json().body, '<p>各县人民政府：</p><p>现将有关事项通知如下。</p>');

  const changed = await post(s, `/console/exchange/documents/${id}/edit`, form({ title: '关于做好2026年冬季供暖工作的通知' }));
  assert.equal(changed.statusCode, 303);
  const submitted = await post(s, `/console/exchange/documents/${id}/submit`, { opinion: '请签发' });
  assert.equal(submitted.statusCode, 303);
  assert.equal(submitted.headers.location, `/console/exchange/documents/${id}`);
  assert.equal(String((await get(s, `/console/exchange/documents/${id}/edit`)).headers.location), `/console/exchange/documents/${id}`, 'no editing in sign-off');
  const documents = html(await get(s, '/console/exchange/documents'));
  assert.ok(documents.indexOf('签批中') < documents.indexOf('已签发') && documents.includes('关于做好2026年冬季供暖工作的通知'));
  noRawKeys(documents);

  const boss = await signIn(leader);
  const tasks = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true', headers: bearer(leader) });
  const task = tasks.json().items.find((t: { caseId: string }) => t.caseId === id);
  const noOpinion = await post(boss, `/console/exchange/documents/${id}/signoff`, { taskId: task.id, action: 'return' });
  assert.equal(noOpinion.statusCode, 303, 'back to the document with the reason');
  const returned = await post(boss, `/console/exchange/documents/${id}/signoff`, { taskId: task.id, action: 'return', opinion: '请写明供暖起止时间' });
  assert.equal(returned.statusCode, 303);
  const back = html(await get(s, `/console/exchange/documents/${id}/edit`));
  assert.match(back, /签批记录/);
  assert.match(back, /请写明供暖起止时间/, 'the drafter reads why it came back');
  assert.match(back, /退回修改/);
  noRawKeys(back);
  assert.equal((await post(s, `/console/exchange/documents/${id}/submit`, { opinion: '已补充，请签发' })).statusCode, 303);
  const again = (await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true', headers: bearer(leader) })).json().items.find((t: { caseId: string }) => t.caseId === id);
  // The panel the document's page includes: the history, and the form for whoever holds the open step.
  const viewAs = async (user: TestUser) => {
    const principal = (await authenticateBearer(ctx.platform, user.token))!;
    const view = { lang: 'zh-CN', t: (k: string, p?: Record<string, unknown>) => translate('zh-CN', k, p), ta: (k: string, p?: Record<string, unknown>) => translate('zh-CN', k, p), csrfToken: 'token', principal } as unknown as ViewContext;
    return String(await SignoffPanel({ ctx: view, data: await signoffPanelData(ctx.platform, principal, id) }));
  };
  const leaderPanel = await viewAs(leader);
  assert.match(leaderPanel, new RegExp(`action="/console/exchange/documents/${id}/signoff"`));
  assert.match(leaderPanel, new RegExp(`name="taskId" value="${again.id}"`));
  assert.match(leaderPanel, /请写明供暖起止时间/);
  assert.match(leaderPanel, /待办理：签发/);
  const clerkPanel = await viewAs(clerk);
  assert.doesNotMatch(clerkPanel, /name="taskId"/, 'the drafter does not decide 签发');
  const signed = await post(boss, `/console/exchange/documents/${id}/signoff`, { taskId: again.id, action: 'approve', opinion: '同意' });
  assert.equal(signed.statusCode, 303);
  assert.equal(signed.headers.location, `/console/exchange/documents/${id}`);
  const after = await ctx.app.inject({ method: 'GET', url: `/api/v1/exchange/documents/${id}`, headers: bearer(clerk) });
  assert.equal(after.json().state, 'signed_off');
  assert.deepEqual(after.json().signoff.history.map((h: { opinion: string }) => h.opinion), ['请签发', '请写明供暖起止时间', '已补充，请签发', '同意']);
});
