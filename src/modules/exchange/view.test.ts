import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { HtmlValidate } from 'html-validate';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { exchangeDb, type DocumentState } from './model.ts';

const clock = new TestClock(new Date('2026-05-03T02:00:00Z'));
let ctx: TestContext;
let units: { city: string; county: string; other: string };
let people: Record<'clerk' | 'leader' | 'recipient' | 'stranger' | 'admin', TestUser>;

const BODY = '<h2>总体要求</h2><p>为做好<strong>元旦春节</strong>期间的安全生产工作，现通知如下。</p><script>alert("body")</script><p>&lt;img src=x onerror=alert(1)&gt;</p><p><img src=x onerror="alert(2)">请认真执行。</p>';
const get = (user: TestUser | null, url: string) => ctx.app.inject({ method: 'GET', url, headers: user ? bearer(user) : {} });

async function insertDocument(values: { state: DocumentState; docNumber: string; title?: string; docType?: string; signer?: string | null }): Promise<string> {
  const id = crypto.randomUUID();
  const now = clock.now();
  await exchangeDb(ctx.platform.db)
    .insertInto('exchange_documents')
    .values({
      id,
      sending_unit_id: units.city,
      drafted_by: people.clerk.id,
      state: values.state,
      doc_type: values.docType ?? 'notice',
      copy_no: '000123',
      secrecy: 'confidential',
      secrecy_period: '1年',
      urgency: 'extra_urgent',
      issuing_authority: '测试市人民政府',
      doc_number: values.docNumber,
      signer: values.signer ?? null,
      title: values.title ?? '测试市人民政府关于做好元旦春节期间安全生产工作的通知',
      body: BODY,
      main_recipient_ids: JSON.stringify([units.county]) as never,
      cc_recipient_ids: JSON.stringify([units.other]) as never,
      written_date: '2026-05-01',
      notes: '此件公开发布',
      printing_unit: '测试市人民政府办公室',
      printed_date: '2026-05-02',
      countersign_unit_ids: JSON.stringify([]) as never,
      sent_at: values.state === 'sent' ? now : null,
      sent_by: values.state === 'sent' ? people.leader.id : null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}

async function deliver(documentId: string, unitId: string, state: 'delivered' | 'recalled' = 'delivered') {
  const now = clock.now();
  await exchangeDb(ctx.platform.db)
    .insertInto('exchange_receipts')
    .values({ id: crypto.randomUUID(), document_id: documentId, unit_id: unitId, copy_kind: 'main', state, delivered_at: now, chase_at: new Date(now.getTime() + 86_400_000), version: 1 })
    .execute();
}

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  units = {
    city: (await makeUnit(ctx.platform, '测试市人民政府办公室', '990100', 'government')).id,
    county: (await makeUnit(ctx.platform, '甲县人民政府', '990102', 'government')).id,
    other: (await makeUnit(ctx.platform, '乙县人民政府', '990103', 'government')).id,
  };
  people = {
    clerk: await makeUser(ctx.platform, units.city, ['doc_clerk']),
    leader: await makeUser(ctx.platform, units.city, ['unit_leader']),
    admin: await makeUser(ctx.platform, units.city, ['unit_admin']),
    recipient: await makeUser(ctx.platform, units.county, ['doc_clerk']),
    stranger: await makeUser(ctx.platform, units.other, ['doc_clerk']),
  };
});

after(async () => {
  await ctx?.close();
});

test('the sender’s staff and a recipient’s clerk read the document laid out like the standard; script in the body stays text', async () => {
  const id = await insertDocument({ state: 'sent', docNumber: '测府发〔2026〕12号' });
  await deliver(id, units.county);
  for (const user of [people.clerk, people.leader, people.recipient]) {
    const res = await get(user, `/console/exchange/documents/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    const html = res.body;
    for (const text of ['000123', '机密★1年', '特急', '测试市人民政府文件', '测府发〔2026〕12号', '甲县人民政府：', '一、总体要求', '<strong>元旦春节</strong>', '2026年5月1日', '（此件公开发布）', '抄送：', '乙县人民政府。', '2026年5月2日印发', '已发出', '下载PDF', '公文要素', '通知']) {
      assert.ok(html.includes(text), `${text} on the page`);
    }
    assert.ok(html.includes(`href="/api/v1/exchange/documents/${id}.pdf"`));
    // Issued: the seal drawn with the sending unit's name.
    assert.match(html, /class="od-seal-drawn"[^>]*aria-label="测试市人民政府办公室印章"/);
    // The body's markup is never output as markup: the script is dropped, the img is text or gone.
    assert.doesNotMatch(html, /<script>alert|alert\("body"\)|<img src=x|onerror="alert/);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)'), 'the escaped markup is shown as text');
    assert.doesNotMatch(html, /page\.exchange\.|exchange\.view\./, 'no raw message keys');
  }
  const report = await new HtmlValidate({ extends: ['html-validate:standard'] }).validateString((await get(people.clerk, `/console/exchange/documents/${id}`)).body);
  assert.deepEqual(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`)), [], 'valid HTML');
});

test('the PDF: named after the document number (RFC 5987), the same bytes every time, for the same readers only', async () => {
  const id = await insertDocument({ state: 'sent', docNumber: '测府发〔2026〕13号' });
  await deliver(id, units.county);
  const a = await get(people.recipient, `/api/v1/exchange/documents/${id}.pdf`);
  assert.equal(a.statusCode, 200, a.body);
  assert.equal(a.headers['content-type'], 'application/pdf');
  assert.equal(a.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  const disposition = String(a.headers['content-disposition']);
  assert.ok(disposition.startsWith('attachment; filename="'), disposition);
  assert.ok(disposition.includes(`filename*=UTF-8''${encodeURIComponent('测府发〔2026〕13号.pdf')}`), disposition);
  const b = await get(people.clerk, `/api/v1/exchange/documents/${id}.pdf`);
  assert.equal(b.statusCode, 200);
  assert.ok(a.rawPayload.equals(b.rawPayload), 'the same document gives the same bytes');
  assert.equal(a.headers.etag, b.headers.etag);

  // Another unit's clerk, an unknown document and no session.
  assert.equal((await get(people.stranger, `/api/v1/exchange/documents/${id}.pdf`)).statusCode, 404);
  assert.equal((await get(people.stranger, `/console/exchange/documents/${id}`)).statusCode, 404);
  assert.equal((await get(people.clerk, `/api/v1/exchange/documents/${crypto.randomUUID()}.pdf`)).statusCode, 404);
  assert.equal((await get(people.clerk, `/console/exchange/documents/${crypto.randomUUID()}`)).statusCode, 404);
  assert.equal((await get(null, `/api/v1/exchange/documents/${id}.pdf`)).statusCode, 401);
});

test('a draft is read by its own unit only and carries no seal yet; a recalled delivery is no longer readable', async () => {
  const draft = await insertDocument({ state: 'draft', docNumber: '测府发〔2026〕14号' });
  await deliver(draft, units.county);
  const page = await get(people.clerk, `/console/exchange/documents/${draft}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('草稿'));
  assert.ok(page.body.includes('印章位置'));
  assert.doesNotMatch(page.body, /od-seal-drawn/);
  assert.equal((await get(people.recipient, `/console/exchange/documents/${draft}`)).statusCode, 404);
  assert.equal((await get(people.recipient, `/api/v1/exchange/documents/${draft}.pdf`)).statusCode, 404);

  const recalled = await insertDocument({ state: 'sent', docNumber: '测府发〔2026〕15号' });
  await deliver(recalled, units.county, 'recalled');
  assert.equal((await get(people.recipient, `/console/exchange/documents/${recalled}`)).statusCode, 404);
});

test('an upward document shows its signer; the unit’s seal image from 单位印章 replaces the drawn seal', async () => {
  const id = await insertDocument({ state: 'signed_off', docNumber: '测府报〔2026〕3号', docType: 'request', signer: '王五', title: '测试市人民政府关于申请专项资金的请示' });
  const upload = fileBody('seal.png', SAMPLES.png());
  const file = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: upload.payload, headers: { ...upload.headers, ...bearer(people.admin) } });
  assert.equal(file.statusCode, 201, file.body);
  const set = await ctx.app.inject({ method: 'PUT', url: `/api/v1/approval/units/${units.city}/seal`, payload: { fileId: file.json().id }, headers: bearer(people.admin) });
  assert.equal(set.statusCode, 200, set.body);

  const page = await get(people.leader, `/console/exchange/documents/${id}`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('签发人：'));
  assert.ok(page.body.includes('王五'));
  assert.ok(page.body.includes('已签发'));
  assert.ok(page.body.includes(`src="data:image/png;base64,${SAMPLES.png().toString('base64')}"`));
  assert.doesNotMatch(page.body, /od-seal-drawn/);
  const pdf = await get(people.leader, `/api/v1/exchange/documents/${id}.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.match(pdf.rawPayload.toString('latin1'), /\/Subtype \/Image/);
});
