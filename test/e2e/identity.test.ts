// A citizen registers with an SMS code in the browser, at a desktop and at a phone's width.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser } from './browser.ts';
import { createTestContext, sentSmsCode, type TestContext } from '../helpers.ts';
import { idCheckChar } from '../../src/platform/org/codes.ts';

describe('identity for the public in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext();
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages must not break their own Content Security Policy');
  });

  for (const [width, phone, seq] of [
    [1366, '13900138001', '101'],
    [390, '13900138002', '102'],
  ] as const) {
    test(`a citizen registers with an SMS code, sees 我的 and signs out (${width} px)`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
      const label = (name: string) => `${name} at ${width} px`;

      await page.goto(`${base}/`);
      await page.locator('.utility-bar').getByRole('link', { name: '登录' }).click();
      await page.waitForURL(/\/login$/);
      assert.match((await page.locator('h1').textContent()) ?? '', /登录网上办事大厅/);
      await assertAccessible(page, label('public sign-in'), 'identity');
      await assertNoSidewaysScroll(page, label('public sign-in'));

      await page.locator('.login-links').getByRole('link', { name: '注册账号' }).click();
      await page.waitForURL(/\/register/);
      await assertAccessible(page, label('register'), 'identity');
      await assertNoSidewaysScroll(page, label('register'));

      const first17 = `11010119880512${seq}`;
      await page.locator('#register-name').fill('陈九');
      await page.locator('#register-idNumber').fill(first17 + idCheckChar(first17));
      await page.locator('#register-phone').fill(phone);
      await page.getByRole('button', { name: '获取验证码' }).click();
      await page.getByText('验证码已发送').waitFor();
      assert.equal(await page.locator('#register-name').inputValue(), '陈九', 'what was typed stays after the code is sent');
      await page.locator('#register-smsCode').fill(await sentSmsCode(ctx, phone));
      await page.locator('#register-password').fill('Citizen#2026');
      await page.locator('#register-password2').fill('Citizen#2026');
      await page.getByRole('button', { name: '注册并登录' }).click();
      await page.waitForURL(/\/account$/);
      assert.match((await page.locator('.utility-bar').textContent()) ?? '', /陈九/);
      await assertAccessible(page, label('account home'), 'identity');
      await assertNoSidewaysScroll(page, label('account home'));

      await page.locator('.account-nav').getByRole('link', { name: '个人资料' }).click();
      await page.waitForURL(/\/account\/profile$/);
      assert.match((await page.locator('.summary-list').textContent()) ?? '', /110101\*{8}/);
      await assertAccessible(page, label('profile'), 'identity');
      await assertNoSidewaysScroll(page, label('profile'));

      await page.locator('.utility-bar').getByRole('button', { name: '退出登录' }).click();
      await page.waitForURL(`${base}/`);
      assert.equal(await page.locator('.utility-bar').getByRole('link', { name: '登录' }).count(), 1);
      await context.close();
    });
  }
});
