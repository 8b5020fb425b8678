// Browser test of online approval: a citizen registers, finds a service in the hall, applies
// online with a document, a window clerk accepts, two departments approve in parallel, the leader
// decides, and the citizen sees the result and verifies the certificate. Axe (WCAG 2.1 A/AA) runs
// on every kind of page on the way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, htmxSettled, openBrowser } from './browser.ts';
import { createTestContext, makeUnit, makeUser, seedRegions, sentSmsCode, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { idCheckChar } from '../../src/platform/org/codes.ts';
import { SAMPLES } from '../../src/platform/files/testing.ts';
import { createItem } from '../../src/modules/approval/commands/create-item.ts';
import { publishItem } from '../../src/modules/approval/commands/publish-item.ts';
import type { Item } from '../../src/modules/approval/queries/items.ts';
import type { ApprovalTables } from '../../src/modules/approval/model.ts';

describe('online approval in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let item: Item;
  let staff: Record<'clerk' | 'planner' | 'fireman' | 'leader', TestUser>;
  const cspErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
    const planning = await makeUnit(ctx.platform, '测试市自然资源和规划局', '990100');
    const fire = await makeUnit(ctx.platform, '测试市消防救援支队', '990100');
    staff = {
      clerk: await makeUser(ctx.platform, window.id, ['window_clerk'], { username: 'clerk.approval' }),
      planner: await makeUser(ctx.platform, planning.id, ['approver'], { username: 'planner.approval' }),
      fireman: await makeUser(ctx.platform, fire.id, ['approver'], { username: 'fire.approval' }),
      leader: await makeUser(ctx.platform, window.id, ['unit_leader'], { username: 'leader.approval' }),
    };
    item = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      const draft = await createItem(work, ctx.platform, null, {
        name: '户外广告设施设置审批',
        kind: 'licensing',
        unitId: window.id,
        legalBasis: '《城市市容和环境卫生管理条例》第十一条',
        conditions: '设置地点符合户外广告设施设置规划',
        materials: [
          { key: 'application_form', name: '设置申请表', required: true, copies: 1, allowPending: false },
          { key: 'site_photo', name: '现场照片', required: false, copies: 1, allowPending: false },
        ],
        statutoryDays: 20,
        promisedDays: 8,
        fee: { charged: false },
        resultName: '户外广告设施设置许可决定书',
        maxVisits: 0,
        consultPhone: '0999-12345678',
        complaintPhone: '12345',
        formFields: [{ key: 'address', label: '设置地址', type: 'text', required: true }],
        themes: ['城市管理'],
        lifeEvents: ['开办企业'],
        process: {
          stages: [
            { key: 'accept', name: '受理', unitId: window.id, role: 'window_clerk', days: 1 },
            {
              parallel: [
                { key: 'planning', name: '规划审查', unitId: planning.id, role: 'approver', days: 3 },
                { key: 'fire', name: '消防审查', unitId: fire.id, role: 'approver', days: 3 },
              ],
            },
            { key: 'decide', name: '决定', unitId: window.id, role: 'unit_leader', days: 2 },
          ],
        },
      });
      return publishItem(work, ctx.platform, null, draft.id);
    });
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(cspErrors, [], 'pages must not break their own Content Security Policy');
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => cspErrors.push(`${page.url()}: ${error.message}`));
    return { context, page };
  }

  async function signIn(user: TestUser): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await newPage();
    await opened.page.goto(`${base}/console/login`);
    await opened.page.getByLabel('用户名').fill(user.username);
    await opened.page.getByLabel('密码').fill(PASSWORD);
    await opened.page.getByRole('button', { name: '登录' }).click();
    await opened.page.waitForURL(`${base}/console`);
    return opened;
  }

  /** A staff member opens the case from the task inbox and records a decision. */
  async function handle(page: Page, receiptNo: string, decision: string, opinion: string, check?: string) {
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '待办任务' }).click();
    await page.waitForURL(/\/console\/approval\/tasks$/);
    if (check) await assertAccessible(page, check);
    await page.getByRole('link', { name: new RegExp(`办理受理号 ${receiptNo}`) }).click();
    await page.waitForURL(/\/console\/approval\/cases\//);
    if (check) await assertAccessible(page, `${check} case page`);
    await page.getByLabel(decision, { exact: true }).check();
    await page.getByLabel('意见和理由').fill(opinion);
    // 受理 and 不予受理 are confirmed with a box of their own.
    const confirm = page.getByLabel('我已核对申请材料，确认作出所选的受理决定');
    if (await confirm.count()) await confirm.check();
    await page.getByRole('button', { name: '提交办理意见' }).click();
    await page.locator('.notice-success').waitFor();
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /已提交办理意见/);
  }

  test('a citizen applies online; the window accepts, two departments approve in parallel, the leader decides; the certificate verifies', async () => {
    // The citizen registers from the service hall and is signed in.
    const { context: citizenContext, page } = await newPage();
    await page.goto(`${base}/services`);
    assert.match((await page.locator('h1').textContent()) ?? '', /网上办事大厅/);
    await assertAccessible(page, 'service hall', 'approval');
    await page.getByRole('navigation', { name: '网上办事' }).getByRole('link', { name: '注册账号' }).click();
    await page.waitForURL(/\/register/);
    const ownId17 = '11010519850304201';
    await page.locator('#register-name').fill('王小明');
    await page.locator('#register-idNumber').fill(ownId17 + idCheckChar(ownId17));
    await page.locator('#register-phone').fill('13912345678');
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText('验证码已发送').waitFor();
    await page.locator('#register-smsCode').fill(await sentSmsCode(ctx, '13912345678'));
    await page.locator('#register-password').fill('Citizen#2026');
    await page.getByLabel('再次输入密码').fill('Citizen#2026');
    await page.getByRole('button', { name: '注册并登录' }).click();
    await page.waitForURL(`${base}/services`);
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /注册成功/);

    // Finds the item by searching, reads its guide, applies with a document.
    await page.getByLabel('事项名称或编码').fill('户外广告');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.getByRole('link', { name: '户外广告设施设置审批' }).first().click();
    await page.waitForURL(`${base}/services/items/${item.id}`);
    assert.match((await page.locator('main').textContent()) ?? '', /以下 2 个部门并联审查/);
    await assertAccessible(page, 'item guide', 'approval');
    await page.getByRole('main').getByRole('link', { name: '在线申请' }).first().click();
    await page.waitForURL(`${base}/services/items/${item.id}/apply`);
    await assertAccessible(page, 'application form', 'approval');
    await page.getByLabel('申请人名称').fill('王小明');
    const first17 = '11010519800101123';
    await page.getByLabel('身份证号码').fill(first17 + idCheckChar(first17));
    await page.getByLabel('联系电话').fill('13912345678');
    await page.getByLabel('设置地址').fill('测试市人民路 1 号');
    await page.getByLabel('设置申请表').setInputFiles({ name: '设置申请表.pdf', mimeType: 'application/pdf', buffer: SAMPLES.pdf() });
    await page.getByLabel('现场照片').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: SAMPLES.png() });
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/services\/mine\/[^/]+$/);
    const flash = (await page.locator('.notice-success').textContent()) ?? '';
    const receiptNo = /受理号 (\d+)/.exec(flash)![1];
    assert.match((await page.locator('main').textContent()) ?? '', /待受理/);

    // Anyone with the receipt number and the phone follows the progress without signing in.
    const { context: anonymousContext, page: anonymous } = await newPage();
    await anonymous.goto(`${base}/services/progress`);
    await anonymous.getByLabel('受理号').fill(receiptNo);
    await anonymous.getByLabel('手机号码').fill('13912345678');
    await anonymous.getByRole('button', { name: '查询' }).click();
    await anonymous.locator('#progress').waitFor();
    assert.match((await anonymous.locator('#progress').textContent()) ?? '', /待受理/);
    await assertAccessible(anonymous, 'progress query', 'approval');

    // The window clerk accepts; the two departments approve in parallel; the leader decides.
    const clerk = await signIn(staff.clerk);
    await handle(clerk.page, receiptNo, '受理', '材料齐全，予以受理', 'task inbox');
    assert.match((await clerk.page.locator('main').textContent()) ?? '', /已受理|审查中/);
    await clerk.context.close();
    const [planner, fireman] = await Promise.all([signIn(staff.planner), signIn(staff.fireman)]);
    await Promise.all([handle(planner.page, receiptNo, '同意', '符合规划'), handle(fireman.page, receiptNo, '同意', '符合消防要求')]);
    await Promise.all([planner.context.close(), fireman.context.close()]);
    const leader = await signIn(staff.leader);
    // The leader's case page carries the clock-stop, extension, reassignment and fee panels.
    await leader.page.goto(`${base}/console/approval/tasks`);
    await leader.page.getByRole('link', { name: new RegExp(`办理受理号 ${receiptNo}`) }).click();
    await leader.page.getByLabel('延长工作日数').fill('2');
    await leader.page.getByLabel('延期理由').fill('需要现场勘验');
    await leader.page.getByRole('button', { name: '批准延期' }).click();
    await leader.page.locator('.notice-success').waitFor();
    assert.match((await leader.page.locator('.notice-success').textContent()) ?? '', /已延期 2 个工作日/);
    await handle(leader.page, receiptNo, '同意', '准予许可', 'leader task inbox');
    const timeline = (await leader.page.locator('#case-timeline').locator('..').textContent()) ?? '';
    assert.match(timeline, /规划审查/);
    assert.match(timeline, /消防审查/);
    assert.match(timeline, /准予许可，出具证照/);
    await leader.context.close();

    // The citizen sees the result among their applications and verifies the certificate.
    await page.goto(`${base}/services/mine`);
    const row = page.locator('#mine tr', { hasText: receiptNo });
    assert.match((await row.textContent()) ?? '', /准予许可/);
    await row.getByRole('link', { name: receiptNo }).click();
    await page.getByRole('link', { name: '查看并核验结果证照' }).click();
    await page.waitForURL(/\/services\/certificates\/[A-Z0-9]{16}$/);
    assert.match((await page.locator('main').textContent()) ?? '', /核验通过：证照真实有效/);
    assert.equal(await page.locator('img.qr').count(), 1);
    await assertAccessible(page, 'certificate page', 'approval');
    const code = page.url().split('/').pop()!;
    // The anonymous visitor, having scanned the QR code, sees the same verification.
    await anonymous.goto(`${base}/services/certificates/${code}`);
    assert.match((await anonymous.locator('main').textContent()) ?? '', /核验通过/);
    // The printable acceptance notice passes axe and links to the issued PDF, which the citizen's session downloads.
    const { id: caseId } = await ctx.platform.db.withTables<ApprovalTables>().selectFrom('approval_applications').select('id').where('receipt_no', '=', receiptNo).executeTakeFirstOrThrow();
    await page.goto(`${base}/approval/applications/${caseId}/notices/acceptance`);
    await assertAccessible(page, 'acceptance notice', 'approval');
    for (const url of [`/api/v1/approval/applications/${caseId}/notices/acceptance.pdf`, `/api/v1/approval/applications/${caseId}/certificate.pdf`]) {
      const pdf = await page.request.get(`${base}${url}`);
      assert.equal(pdf.status(), 200, url);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    }
    await anonymousContext.close();
    await citizenContext.close();
  });

  test('the catalogue editor adds process rows in place with htmx, keeps focus on the new row, and saves a draft', async () => {
    const { context, page } = await signIn(staff.leader);
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '事项目录' }).click();
    await page.getByRole('link', { name: '新建事项' }).click();
    await page.waitForURL(/\/console\/approval\/items\/new$/);
    await assertAccessible(page, 'catalogue editor', 'approval');
    await page.getByLabel('事项名称').fill('临时占用城市道路审批');
    await page.getByRole('button', { name: '添加环节' }).click();
    const stepName = page.locator('[id="item-process.stages.1.parallel.0.name"]');
    await stepName.waitFor();
    await htmxSettled(page);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'item-process.stages.1.parallel.0.name', 'the new row takes the focus');
    assert.equal(await page.getByLabel('事项名称').inputValue(), '临时占用城市道路审批', 'typed values survive the swap');
    await page.getByRole('button', { name: '为第 2 环节添加并联步骤' }).click();
    await page.locator('[id="item-process.stages.1.parallel.1.name"]').waitFor();
    await htmxSettled(page);

    await page.getByLabel('办理结果').fill('临时占用城市道路许可决定书');
    await page.getByLabel('法定时限').fill('20');
    await page.getByLabel('承诺时限').fill('10');
    await page.getByLabel('咨询电话').fill('0999-1234');
    await page.getByLabel('设定依据').fill('《城市道路管理条例》第三十一条');
    await page.getByLabel('受理条件').fill('确需临时占用');
    await page.getByLabel('材料 1 名称').fill('申请书');
    await page.getByLabel('材料 1 编号').fill('application_form');
    await page.getByLabel('第 1 环节步骤 1 办理单位').selectOption({ label: '测试市政务服务中心' });
    for (const [n, key, unit] of [
      [1, 'planning', '测试市自然资源和规划局'],
      [2, 'fire', '测试市消防救援支队'],
    ] as const) {
      await page.getByLabel(`第 2 环节步骤 ${n} 名称`).fill(`审查${n}`);
      await page.getByLabel(`第 2 环节步骤 ${n} 编号`).fill(key);
      await page.getByLabel(`第 2 环节步骤 ${n} 办理单位`).selectOption({ label: unit });
      await page.getByLabel(`第 2 环节步骤 ${n} 时限`).fill('3');
    }
    // A mistake comes back in place with the summary focused.
    await page.getByLabel('承诺时限').fill('30');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.locator('.error-summary').waitFor();
    // The page's script moves the focus once loaded: wait for it rather than for the element alone.
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'), undefined, { timeout: 5000 });
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /不能超过法定时限/);
    await assertAccessible(page, 'catalogue editor with errors', 'approval');
    await page.getByLabel('承诺时限').fill('10');
    await page.getByRole('button', { name: '预览办事指南' }).click();
    await page.locator('#preview').waitFor();
    assert.match((await page.locator('#preview').textContent()) ?? '', /以下 2 个部门并联审查/);
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.waitForURL(/\/console\/approval\/items\/[0-9a-f-]{36}$/);
    assert.match((await page.locator('.notice-success').textContent()) ?? '', /已保存“临时占用城市道路审批”第 1 版草稿/);
    await context.close();
  });
});
