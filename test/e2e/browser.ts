// What the browser tests share: Debian's Chromium through playwright-core, and axe's WCAG checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ZT_CHROMIUM ?? '/usr/bin/chromium';
/** The `skip` of a browser test suite: a reason when Chromium is not installed. */
export const chromiumMissing = fs.existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set ZT_CHROMIUM`;
/** Folder for screenshots of the checked pages (ZT_SCREENSHOTS), or null. */
export const SCREENSHOTS = process.env.ZT_SCREENSHOTS || null;

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/**
 * The browser of a test file. Under scripts/test.js the files share the run's one Chromium
 * (ZT_TEST_BROWSER_WS) and each works in contexts of its own, which close when it disconnects:
 * connecting takes about a fifth of a launch. Run on its own, a file launches its own.
 */
export function launchChromium(): Promise<Browser> {
  const shared = process.env.ZT_TEST_BROWSER_WS;
  return shared ? chromium.connect(shared) : chromium.launch(LAUNCH_OPTIONS);
}

/** The Chromium that the browser test files of a run connect to (started by scripts/test.js). */
export function launchSharedChromium(): Promise<BrowserServer> {
  return chromium.launchServer(LAUNCH_OPTIONS);
}

export async function screenshot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

/**
 * Runs axe on the page for the WCAG 2.1 A and AA rules. The CSP rightly refuses an injected
 * inline <script>, so axe is evaluated through the DevTools protocol, which CSP does not govern.
 */
export async function axeCheck(page: Page): Promise<{ violations: AxeViolation[]; passes: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
      passes: result.passes.length,
    };
  });
}

/** No axe violation on the page; a screenshot named `${prefix}-${label}` when ZT_SCREENSHOTS is set. */
export async function assertAccessible(page: Page, label: string, prefix = 'page') {
  const { violations, passes } = await axeCheck(page);
  assert.ok(passes > 10, `axe ran its rules on ${label}`);
  assert.deepEqual(violations, [], `${label} (${page.url()}) has accessibility violations:\n${JSON.stringify(violations, null, 2)}`);
  await screenshot(page, `${prefix}-${label}`);
}

/**
 * Waits until htmx has finished a swap: no request in flight and nothing still settling. A value
 * typed while the swapped form settles can otherwise be lost to the next swap.
 */
export async function htmxSettled(page: Page) {
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added'), undefined, { timeout: 5000 });
}

/** The test application on a free loopback port, and the browser of the test file. */
export async function openBrowser(ctx: { app: { listen(options: { port: number; host: string }): Promise<unknown>; server: { address(): unknown } } }): Promise<{ base: string; browser: Browser }> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}`;
  return { base, browser: await launchChromium() };
}

/** The page itself does not scroll sideways (a wide table may scroll within its own region). */
export async function assertNoSidewaysScroll(page: Page, label: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${label}: the page scrolls sideways (${scroll} > ${client})`);
}

/**
 * A page in a fresh Chinese context of `width` px whose faults are collected in `errors`: script
 * errors, Content Security Policy refusals and any dialog (dismissed), so a test can assert none.
 */
export async function watchedPage(browser: Browser, width: number, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('dialog', (dialog) => {
    errors.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}
