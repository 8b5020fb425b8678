// The document view in a browser: laid out like the standard at desktop width and at 390 px
// (no sideways scroll), accessible, within its Content Security Policy, and its PDF link works.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Browser } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { createTestContext, loginSession, makeUnit, makeUser, seedRegions, type TestContext } from '../helpers.ts';
import { exchangeDb } from '../../src/modules/exchange/model.ts';

describe('the document view in a browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let documentId: string;
  let cookie: string;

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    const city = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100', 'government');
    const county = await makeUnit(ctx.platform, '甲县人民政府', '990102', 'government');
    const clerk = await makeUser(ctx.platform, city.id, ['doc_clerk']);
    documentId = crypto.randomUUID();
    const now = new Date();
    await exchangeDb(ctx.platform.db)
      .insertInto('exchange_documents')
      .values({
        id: documentId,
        sending_unit_id: city.id,
        drafted_by: clerk.id,
        state: 'sent',
        doc_type: 'notice',
        copy_no: '000123',
        secrecy: 'confidential',
        secrecy_period: '1年',
        urgency: 'extra_urgent',
        issuing_authority: '测试市人民政府',
        doc_number: '测府发〔2026〕12号',
        signer: null,
        title: '测试市人民政府关于做好二〇二七年元旦春节期间安全生产和值班值守工作的通知',
        body: `<h2>总体要求</h2><p>${'各单位要高度重视节日期间安全生产工作，'.repeat(8)}</p><h3>加强组织领导</h3><ol><li>落实责任</li><li>排查隐患</li></ol><p>ThisIsAVeryLongWordWithoutAnyBreakOpportunityToCheckWrapping1234567890abcdefghijklmnopqrstuvwxyz</p>`,
        main_recipient_ids: JSON.stringify([county.id]) as never,
        cc_recipient_ids: JSON.stringify([county.id]) as never,
        written_date: '2026-05-01',
        notes: '此件公开发布',
        printing_unit: '测试市人民政府办公室',
        printed_date: '2026-05-02',
        countersign_unit_ids: JSON.stringify([]) as never,
        sent_at: now,
        sent_by: clerk.id,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    cookie = (await loginSession(ctx.app, clerk.username)).cookie;
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
  });

  test('at desktop width and at 390 px: the red mark and line, the seal, no sideways scroll, no accessibility violation', async () => {
    const [name, value] = cookie.split('=');
    for (const width of [1366, 390]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${base}/console/exchange/documents/${documentId}`);
      assert.equal(await page.locator('.od-authority').textContent(), '测试市人民政府文件');
      assert.equal(await page.locator('.od-authority').evaluate((el) => getComputedStyle(el).color), 'rgb(200, 22, 29)');
      assert.equal(await page.locator('.od-rule').evaluate((el) => getComputedStyle(el).borderTopColor), 'rgb(200, 22, 29)');
      assert.ok(await page.locator('.od-seal-drawn').isVisible());
      await assertNoSidewaysScroll(page, `document view at ${width} px`);
      await assertAccessible(page, `exchange-document-${width}`);
      await screenshot(page, `exchange-document-${width}`);
      const pdf = await page.request.get(`${base}/api/v1/exchange/documents/${documentId}.pdf`);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.deepEqual(errors, [], 'no errors in the console (Content Security Policy among them)');
      await context.close();
    }
  });
});
