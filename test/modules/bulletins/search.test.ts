/**
 * Chinese full-text search (src/platform/search) through a module that exists only in this test:
 * bulletins indexed in the poster's unit of work and searched through the module's route.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, type TestContext, type TestUser } from '../../helpers.ts';
import { bulletinsModule } from './index.ts';

let ctx: TestContext;
let editor: TestUser;

type Item = { source: string; id: string; title: string; titleHtml: string; url: string; snippet: string; publishedAt: string; siteId: string | null };
type Result = { items: Item[]; total: number; totalIsEstimate: boolean; nextOffset: number | null };

const day = (d: string) => `${d}T10:00:00+08:00`;
async function post(items: object[]) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/bulletins', payload: { items }, headers: bearer(editor) });
  assert.equal(res.statusCode, 200, res.body);
}
async function search(params: Record<string, string | number>, status = 200) {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/bulletins/search?${qs}` });
  assert.equal(res.statusCode, status, res.body);
  return res.json();
}
const ids = (r: Result) => r.items.map((i) => i.id);

before(async () => {
  ctx = await createTestContext({ modules: [bulletinsModule] });
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform, '市政府办公室');
  editor = await makeUser(ctx.platform, unit.id, ['editor']);
  await post([
    { id: 'winter', siteId: 'main', columnId: 'notices', title: '关于做好2026年冬季安全生产工作的通知', body: '各县市区人民政府：为切实做好冬季安全生产工作，防范遏制重特大事故发生，现就有关事项通知如下。', publishedAt: day('2026-11-20') },
    { id: 'license', siteId: 'dept', columnId: 'guide', title: '企业开办一网通办指南', body: '申请人可以在政务服务中心办理营业执照，也可以网上申请。衡阳市教育局不负责此事项。', publishedAt: day('2026-10-01') },
    { id: 'disclosure', siteId: 'main', columnId: 'open', category: 'cat-budget', title: '2026年财政预算公开', html: '<p>依据<b>政府信息公开</b>条例，现将衡政发〔2026〕12号文件公开。</p><script>alert(1)</script>', publishedAt: day('2026-03-15') },
    { id: 'xss', siteId: 'dept', columnId: 'notices', title: '关于<b>网站</b>维护的公告', body: '网站维护期间 <script>alert("x")</script> 暂停服务，敬请谅解。税务办理不受影响。', publishedAt: day('2026-06-01') },
  ]);
});
after(() => ctx?.close());

test('a two-word Chinese query finds the document; a word inside a title finds it too', async () => {
  let r: Result = await search({ q: '安全生产 通知' });
  assert.deepEqual(ids(r), ['winter']);
  assert.equal(r.total, 1);
  assert.equal(r.totalIsEstimate, false);
  assert.equal(r.items[0].source, 'bulletin');
  assert.equal(r.items[0].url, '/bulletins/winter');
  assert.match(r.items[0].titleHtml, /<mark>安全生产<\/mark>/);
  // A word the dictionary cuts differently inside the text (教育局 vs 教育): found by its bigrams.
  r = await search({ q: '教育' });
  assert.deepEqual(ids(r), ['license']);
  // Words in another order than the text's: 办理营业执照 asked as 营业执照办理.
  r = await search({ q: '营业执照办理' });
  assert.deepEqual(ids(r), ['license']);
  // A word inside a title only: 一网通办 (the segmenter cuts it 一 | 网 | 通 | 办).
  r = await search({ q: '通办' });
  assert.deepEqual(ids(r), ['license']);
  // Document numbers and Latin/digit fragments; the title pattern (trigrams) and the terms both work.
  r = await search({ q: '衡政发〔2026〕12号' });
  assert.deepEqual(ids(r), ['disclosure']);
  // A word of three characters is a phrase: 民政局 is not found in a text with 人民政府 and 政局 apart.
  r = await search({ q: '民政局' });
  assert.deepEqual(ids(r), []);
  assert.equal(r.total, 0);
});

test('a single character is found wherever it stands', async () => {
  const r: Result = await search({ q: '税' });
  assert.deepEqual(ids(r), ['xss']);
  assert.match(r.items[0].snippet, /<mark>税<\/mark>/);
  const tail: Result = await search({ q: '告' });
  assert.ok(ids(tail).includes('xss'), 'the last character of a title (公告) is found');
});

test('a title match ranks above a body match; newer above older when equal', async () => {
  await post([
    { id: 'rank-body', title: '工作动态', body: '本周召开了森林防火工作会议，部署森林防火相关工作。', publishedAt: day('2026-11-30') },
    { id: 'rank-title', title: '森林防火工作的通知', body: '请各单位按照要求落实。', publishedAt: day('2025-11-01') },
    { id: 'rank-new', title: '森林防火工作的通知', body: '请各单位按照要求落实。', publishedAt: day('2026-11-01') },
  ]);
  const r: Result = await search({ q: '森林防火' });
  assert.deepEqual(ids(r), ['rank-new', 'rank-title', 'rank-body']);
});

test('snippets escape the body and mark the matches', async () => {
  let r: Result = await search({ q: '维护' });
  assert.deepEqual(ids(r), ['xss']);
  const item = r.items[0];
  assert.ok(!/<script/i.test(item.snippet) && !/<b>/.test(item.titleHtml), item.snippet);
  assert.match(item.snippet, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/, 'the body text is shown escaped');
  assert.match(item.snippet, /<mark>维护<\/mark>/);
  assert.match(item.titleHtml, /&lt;b&gt;网站&lt;\/b&gt;<mark>维护<\/mark>/);
  assert.equal(item.title, '关于<b>网站</b>维护的公告', 'the plain title is the text as given');
  // An HTML body is indexed as its text: the script is gone, the words are found and marked.
  r = await search({ q: '政府信息公开' });
  assert.deepEqual(ids(r), ['disclosure']);
  assert.ok(!r.items[0].snippet.includes('alert'));
  assert.match(r.items[0].snippet, /<mark>政府信息公开<\/mark>|<mark>政府<\/mark>/);
  // The only markup in a snippet is <mark>.
  for (const s of [item.snippet, item.titleHtml, r.items[0].snippet]) assert.deepEqual(s.match(/<\/?[a-z]+/gi)?.filter((t) => !/^<\/?mark$/i.test(t)) ?? [], []);
});

test('filters by site, column, category and date', async () => {
  assert.deepEqual(ids(await search({ q: '公开', siteId: 'main' })), ['disclosure']);
  assert.deepEqual(ids(await search({ q: '公开', siteId: 'dept' })), []);
  assert.deepEqual(ids(await search({ q: '通知', columnId: 'notices' })), ['winter']);
  assert.deepEqual(ids(await search({ q: '公开', category: 'cat-budget' })), ['disclosure']);
  assert.deepEqual(ids(await search({ q: '公开', category: 'cat-other' })), []);
  assert.deepEqual(ids(await search({ q: '安全生产', from: '2026-11-20', to: '2026-11-20' })), ['winter'], 'both dates are included (Asia/Shanghai)');
  assert.deepEqual(ids(await search({ q: '安全生产', from: '2026-11-21' })), []);
  assert.deepEqual(ids(await search({ q: '安全生产', to: '2026-11-19' })), []);
});

test('pagination by limit and offset, with the total', async () => {
  await post(Array.from({ length: 25 }, (_, i) => ({ id: `page-${i}`, siteId: 'paging', title: `第${i}期乡村振兴简报`, body: '乡村振兴工作进展顺利。', publishedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() })));
  const first: Result = await search({ q: '乡村振兴', siteId: 'paging', limit: 10 });
  assert.equal(first.total, 25);
  assert.equal(first.totalIsEstimate, false);
  assert.equal(first.items.length, 10);
  assert.equal(first.nextOffset, 10);
  assert.equal(first.items[0].id, 'page-24', 'newest first among equals');
  const second: Result = await search({ q: '乡村振兴', siteId: 'paging', limit: 10, offset: 10 });
  const third: Result = await search({ q: '乡村振兴', siteId: 'paging', limit: 10, offset: 20 });
  assert.equal(third.items.length, 5);
  assert.equal(third.nextOffset, null);
  const all = [...ids(first), ...ids(second), ...ids(third)];
  assert.equal(new Set(all).size, 25, 'no document twice, none missing');
});

test('a broad query ranks a bounded set: its total is then an estimate, and pages stop at the bound', async () => {
  for (let batch = 0; batch < 2; batch++) {
    await post(Array.from({ length: 300 }, (_, i) => ({ id: `broad-${batch}-${i}`, siteId: 'broad', title: `第${batch * 300 + i}号公示`, body: '城市更新项目公示，欢迎监督。', publishedAt: new Date(Date.UTC(2025, 0, 1) + (batch * 300 + i) * 3_600_000).toISOString() })));
  }
  const r: Result = await search({ q: '城市更新', siteId: 'broad', limit: 50 });
  assert.equal(r.totalIsEstimate, true);
  assert.ok(r.total >= 500, `estimated ${r.total}`);
  assert.equal(r.items.length, 50);
  assert.equal(r.items[0].id, 'broad-1-299', 'the newest first');
  const last: Result = await search({ q: '城市更新', siteId: 'broad', limit: 50, offset: 450 });
  assert.equal(last.items.length, 50);
  assert.equal(last.nextOffset, null, 'the last page within the bound');
  assert.equal((await search({ q: '城市更新', siteId: 'broad', limit: 50, offset: 460 }, 400)).errors[0].message, '只能查看按相关度排序的前 500 条结果');
  // A narrower query over the same documents is counted exactly: hourly from 1 January 00:00 UTC
  // to the end of 5 January in Shanghai (16:00 UTC), 4 × 24 + 16 documents.
  const exact: Result = await search({ q: '城市更新', siteId: 'broad', from: '2025-01-01', to: '2025-01-05' });
  assert.equal(exact.totalIsEstimate, false);
  assert.equal(exact.total, 112);
});

test('re-indexing updates a document; removing takes it out', async () => {
  await post([{ id: 'change', title: '河长制工作简报', body: '第一版内容。', publishedAt: day('2026-05-01') }]);
  assert.deepEqual(ids(await search({ q: '河长制' })), ['change']);
  await post([{ id: 'change', title: '林长制工作简报', body: '第二版内容。', publishedAt: day('2026-05-02') }]);
  assert.deepEqual(ids(await search({ q: '河长制' })), [], 'the old words are no longer found');
  const r: Result = await search({ q: '林长制' });
  assert.deepEqual(ids(r), ['change']);
  assert.equal(r.items[0].title, '林长制工作简报');
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/bulletins/remove', payload: { ids: ['change', 'never-indexed'] }, headers: bearer(editor) });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().removed, 1);
  assert.deepEqual(ids(await search({ q: '林长制' })), []);
});

test('bad input: empty, punctuation only, too long, bad options are 400 with a clear message; never a 500', async () => {
  const field = (body: { code: string; errors: Array<{ path: string; message: string }> }) => [body.code, body.errors?.[0]?.path, body.errors?.[0]?.message];
  assert.deepEqual(field(await search({ q: '' }, 400)), ['VALIDATION_FAILED', 'q', '请输入检索词']);
  assert.deepEqual(field(await search({ q: '   ' }, 400)), ['VALIDATION_FAILED', 'q', '请输入检索词']);
  assert.deepEqual(field(await search({ q: '，。！？…《》〔〕' }, 400)), ['VALIDATION_FAILED', 'q', '检索词须包含汉字、字母或数字，不能只有标点符号']);
  assert.deepEqual(field(await search({ q: '%_\\\'";--' }, 400))[0], 'VALIDATION_FAILED');
  const started = Date.now();
  assert.deepEqual(field(await search({ q: '政'.repeat(1000) }, 400)), ['VALIDATION_FAILED', 'q', '检索词不能超过 100 个字']);
  assert.ok(Date.now() - started < 1000, 'refused before any query runs');
  // A hundred characters is still searched: its words, once each.
  const long: Result = await search({ q: '关于做好冬季安全生产工作的通知'.repeat(7).slice(0, 100) });
  assert.deepEqual(ids(long), ['winter']);
  assert.equal((await search({ q: '关于 做好 冬季 安全 生产 工作 通知 衡阳 政府 信息 公开 营业 执照' }, 400)).errors[0].path, 'q', 'more than 12 words');
  // LIKE wildcards and quotes in a query are literal text.
  assert.deepEqual(ids(await search({ q: "100%_'税" })), []);
  assert.equal((await search({ q: '通知', limit: 0 }, 400)).errors[0].path, 'limit');
  assert.equal((await search({ q: '通知', offset: 5000 }, 400)).errors[0].path, 'offset');
  assert.equal((await search({ q: '通知', from: '2026-02-30' }, 400)).errors[0].path, 'from');
  assert.equal((await search({ q: '通知', from: '2026-05-01', to: '2026-04-01' }, 400)).errors[0].path, 'to');
  const en = await ctx.app.inject({ method: 'GET', url: '/api/v1/bulletins/search?q=&lang=en' });
  assert.equal(en.statusCode, 400);
  assert.equal(en.json().errors[0].message, 'Enter something to search for');
});
