// Browser tests of the pages: the real application on a real port, driven by Debian's Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, launchChromium, screenshot } from './browser.ts';
import { createTestContext, makeUnit, makeUser, seedRegions, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';

describe('pages in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let clerk: TestUser;
  let newcomer: TestUser;
  let admin: TestUser;
  const cspErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    const unit = await makeUnit(ctx.platform, '测试市政务服务管理局', '990100', 'service_center');
    clerk = await makeUser(ctx.platform, unit.id, ['window_clerk'], { username: 'clerk.e2e' });
    newcomer = await makeUser(ctx.platform, unit.id, ['approver'], { username: 'newcomer.e2e', mustChangePassword: true });
    admin = await makeUser(ctx.platform, unit.id, [{ role: 'sysadmin', scope: { regionCode: '990100' } }], { username: 'sysadmin.e2e' });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ctx.app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(cspErrors, [], 'pages must not break their own Content Security Policy');
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => cspErrors.push(`${page.url()}: ${error.message}`));
    return { context, page };
  }

  async function signIn(page: Page, username: string, password = PASSWORD) {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  }

  test('signing in through the login page reaches the console; the public pages and the console pass axe', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await assertAccessible(page, 'portal home', 'console');
    await page.goto(`${base}/directory?region=990100`);
    await assertAccessible(page, 'directory', 'console');
    await page.goto(`${base}/accessibility`);
    await assertAccessible(page, 'accessibility statement', 'console');

    await page.goto(`${base}/console/sessions`);
    assert.match(page.url(), /\/console\/login\?next=%2Fconsole%2Fsessions$/);
    await assertAccessible(page, 'login page', 'console');
    await page.getByLabel('用户名').fill(clerk.username);
    await page.getByLabel('密码').fill(clerk.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/sessions`);
    assert.equal(await page.locator('h1').textContent(), '登录会话');
    await assertAccessible(page, 'sessions', 'console');

    const consoleNav = page.getByRole('navigation', { name: '工作台导航' });
    await consoleNav.getByRole('link', { name: '工作台首页' }).click();
    await page.waitForURL(`${base}/console`);
    assert.equal(await page.locator('h1').textContent(), '工作台');
    // Navigation by role: a window clerk sees no administration pages.
    assert.equal(await consoleNav.getByRole('link', { name: '机构单位' }).count(), 0);
    await assertAccessible(page, 'console home', 'console');
    await screenshot(page, 'console-home');

    await consoleNav.getByRole('link', { name: '个人资料' }).click();
    await page.waitForURL(`${base}/console/profile`);
    await assertAccessible(page, 'profile', 'console');

    // The large-text, high-contrast mode is remembered and still accessible.
    await page.getByRole('link', { name: /长者模式/ }).click();
    assert.equal(await page.getAttribute('html', 'class'), 'display-large');
    await page.goto(`${base}/console`);
    assert.equal(await page.getAttribute('html', 'class'), 'display-large');
    await assertAccessible(page, 'console home, large text', 'console');

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(`${base}/console/login`);
    assert.match(await page.locator('.notice').textContent() ?? '', /已安全退出/);
    await context.close();
  });

  test('a wrong password shows the error next to the form, and the form stays accessible', async () => {
    const { context, page } = await newPage();
    await signIn(page, clerk.username, 'not-the-password');
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? '', /密码错误，还可尝试 4 次/);
    // The page's script moves the focus once loaded: wait for it rather than for the element alone.
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'), undefined, { timeout: 5000 });
    assert.equal(await page.getByLabel('用户名').inputValue(), clerk.username, 'the username is kept');
    assert.equal(await page.getByLabel('密码').inputValue(), '', 'the password is never sent back');
    await assertAccessible(page, 'login page with an error', 'console');

    await page.getByLabel('用户名').fill('');
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#login-username-error').waitFor();
    assert.equal(await page.getByLabel('用户名').getAttribute('aria-invalid'), 'true');
    assert.match((await page.getByLabel('用户名').getAttribute('aria-describedby')) ?? '', /login-username-error/);
    await context.close();
  });

  test('an account with an initial password must change it before anything else', async () => {
    const { context, page } = await newPage();
    await signIn(page, newcomer.username);
    await page.waitForURL(`${base}/console/profile`);
    assert.match((await page.locator('main').textContent()) ?? '', /请先修改初始密码/);
    await assertAccessible(page, 'forced password change', 'console');

    // Another console page sends the account back to its profile.
    await page.goto(`${base}/console/sessions`);
    await page.goto(`${base}/console/users`);
    await page.waitForURL(`${base}/console/profile`);

    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.getByLabel('新密码', { exact: false }).first().fill('weak');
    await page.getByLabel('再次输入新密码').fill('weak');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.locator('.error-summary').waitFor();
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /密码强度不足/);

    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.locator('#password-newPassword').fill('N3w!Passw0rd');
    await page.getByLabel('再次输入新密码').fill('N3w!Passw0rd');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.waitForURL(`${base}/console`);
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /密码已修改/);
    assert.equal(await page.locator('.notice-warning').count(), 0);
    await context.close();
  });

  test('a system administrator enrols TOTP through the profile page, then creates a unit through the form', async () => {
    const { context, page } = await newPage();
    await signIn(page, admin.username);
    await page.waitForURL(`${base}/console/profile`);
    assert.match((await page.locator('main').textContent()) ?? '', /请先绑定动态验证码/);

    // Administration pages wait until TOTP is set up.
    await page.goto(`${base}/console/units`);
    await page.waitForURL(`${base}/console/profile#totp`);

    await page.getByRole('button', { name: '开始绑定' }).click();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    assert.equal(await page.locator('img.qr').count(), 1);
    await assertAccessible(page, 'TOTP enrolment', 'console');
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    await page.getByLabel('6 位动态验证码').fill(totp.generate({ timestamp: ctx.clock.now().getTime() }));
    await page.getByRole('button', { name: '完成绑定' }).click();
    await page.waitForURL(`${base}/console`);
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /动态验证码已启用/);

    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '机构单位' }).click();
    await page.waitForURL(`${base}/console/units`);
    await assertAccessible(page, 'units', 'console');

    // A wrong credit code comes back with the message and the typed values.
    await page.getByLabel('单位名称').last().fill('甲县农业农村局');
    await page.getByLabel('所属行政区划代码').fill('990102');
    await page.getByLabel('单位类型').selectOption('department');
    await page.getByLabel('统一社会信用代码').fill('11440300000000001X');
    await page.getByRole('button', { name: '新增单位' }).click();
    await page.locator('.error-summary').waitFor();
    assert.match((await page.locator('#unit-creditCode-error').textContent()) ?? '', /校验位不正确/);
    assert.equal(await page.getByLabel('单位名称').last().inputValue(), '甲县农业农村局');
    await assertAccessible(page, 'unit form with errors', 'console');

    await page.getByLabel('统一社会信用代码').fill('');
    await page.getByRole('button', { name: '新增单位' }).click();
    await page.waitForURL(/\/console\/units\?region=990102/);
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /已新增单位“甲县农业农村局”/);
    assert.equal(await page.locator('#units-results td', { hasText: '甲县农业农村局' }).count(), 1);
    await screenshot(page, 'console-units');

    // Live search (htmx) narrows the list without a page load.
    await page.goto(`${base}/console/units`);
    await page.getByLabel('单位名称包含').fill('农业');
    await page.waitForURL(/q=%E5%86%9C%E4%B8%9A|q=农业/);
    assert.equal(await page.locator('#units-results tbody tr').count(), 1);

    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '行政区划' }).click();
    await assertAccessible(page, 'regions', 'console');
    await page.getByRole('link', { name: '测试省的下级区划' }).click();
    await page.waitForURL(/parent=990000/);

    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '用户账号' }).click();
    await page.waitForURL(/\/console\/users/);
    await assertAccessible(page, 'users', 'console');

    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '工作日历' }).click();
    await page.waitForURL(/\/console\/calendar/);
    await page.goto(`${base}/console/calendar?year=2026`);
    assert.match((await page.locator('main').textContent()) ?? '', /国庆节/);
    await assertAccessible(page, 'calendar', 'console');
    await screenshot(page, 'console-calendar');
    await context.close();
  });

  test('keyboard: the skip link comes first and moves to the main content; everything works without JavaScript', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/console/login`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '跳到主要内容');
    assert.equal(await page.evaluate(() => document.activeElement?.getBoundingClientRect().top ?? -1) >= 0, true, 'the focused skip link is visible');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    // Tab from the main content reaches the username field before the password and the button.
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.id || document.activeElement?.tagName || ''));
    }
    assert.deepEqual(order, ['login-username', 'login-password', 'BUTTON']);
    await context.close();

    const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
    const plain = await noScript.newPage();
    await plain.goto(`${base}/console/login`);
    await plain.getByLabel('用户名').fill(clerk.username);
    await plain.getByLabel('密码').fill(PASSWORD);
    await plain.getByRole('button', { name: '登录' }).click();
    await plain.waitForURL(`${base}/console`);
    await plain.getByRole('button', { name: '退出登录' }).click();
    await plain.waitForURL(`${base}/console/login`);
    await noScript.close();
  });

  test('the language switch shows English and is remembered', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/console/login`);
    await page.getByRole('link', { name: 'English' }).click();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('h1').textContent(), 'Zhengtong staff console');
    await assertAccessible(page, 'login page in English', 'console');
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.goto(`${base}/console/login`);
    await page.getByLabel('Username').fill(clerk.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.error-summary').waitFor();
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /Wrong username or password/);
    await page.getByRole('link', { name: '中文' }).click();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await context.close();
  });
});
