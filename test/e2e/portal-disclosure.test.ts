// Browser test of the public disclosure catalogue (政府信息公开目录): a visitor picks a category,
// searches by title and opens an item; the catalogue, an item, the guide and the annual report
// pass axe at a laptop's width and a phone's (390 px), where nothing scrolls sideways and the
// table's rows become blocks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser, watchedPage } from './browser.ts';
import { createTestContext, creditCode, seedRegions, type TestContext } from '../helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createUnit, type Unit } from '../../src/platform/org/service.ts';
import { loadDisclosureDemo } from '../../src/modules/portal/disclosure/demo.ts';

const WIDTHS = [1366, 390] as const;

describe('the disclosure catalogue in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let unit: Unit;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    unit = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createUnit(work, { name: '测试市教育局', regionCode: '990100', kind: 'department', creditCode: creditCode(301) }));
    await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => loadDisclosureDemo(work, ctx.platform, { unit: (key: string) => (key === 'city.education' ? unit : { id: 'none', name: '', regionCode: '' }) }));
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages run without script errors or CSP refusals');
  });

  const newPage = (width: number): Promise<Page> => watchedPage(browser, width, pageErrors);

  for (const width of WIDTHS) {
    test(`a visitor browses, searches and reads the catalogue at ${width} px`, async () => {
      const page = await newPage(width);
      await page.goto(`${base}/xxgk/${unit.id}`);
      assert.match((await page.locator('h1').textContent()) ?? '', /测试市教育局政府信息公开目录/);
      await assertAccessible(page, `catalogue ${width}`, 'disclosure');
      await assertNoSidewaysScroll(page, `catalogue at ${width}`);
      if (width === 390) {
        // Rows are blocks: a row is as narrow as the window.
        const row = await page.locator('#xxgk-items tbody tr').first().boundingBox();
        assert.ok(row && row.width <= 390, `a row is ${row?.width} px wide`);
      }

      await page.getByRole('navigation', { name: '信息分类' }).getByRole('link', { name: /^重点领域信息/ }).click();
      await page.waitForURL(/category=/);
      assert.match((await page.locator('#xxgk-items').textContent()) ?? '', /招生入学工作方案/);
      assert.doesNotMatch((await page.locator('#xxgk-items').textContent()) ?? '', /统计公报/);

      await page.goto(`${base}/xxgk/${unit.id}`);
      await page.getByLabel('名称包含').fill('统计公报');
      await page.getByRole('button', { name: '检索' }).click();
      await page.waitForURL(/q=/);
      await page.getByRole('link', { name: /教育事业发展统计公报/ }).click();
      await page.waitForURL(/\/items\//);
      const main = (await page.locator('main').textContent()) ?? '';
      for (const word of ['索引号', '信息分类', '发布机构', '发文日期', '文号', '有效性', '主题词']) assert.ok(main.includes(word), word);
      assert.ok(main.includes(`${unit.creditCode}/`));
      await assertAccessible(page, `item ${width}`, 'disclosure');
      await assertNoSidewaysScroll(page, `item at ${width}`);

      for (const path of ['guide', `report/${new Date().getFullYear()}`]) {
        await page.goto(`${base}/xxgk/${unit.id}/${path}`);
        await assertAccessible(page, `${path} ${width}`, 'disclosure');
        await assertNoSidewaysScroll(page, `${path} at ${width}`);
      }
      await page.goto(`${base}/xxgk`);
      await assertAccessible(page, `units ${width}`, 'disclosure');
      await page.context().close();
    });
  }
});
