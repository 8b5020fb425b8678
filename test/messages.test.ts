import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, makeUser, seedRegions, bearer, type TestContext, type TestUser } from './helpers.ts';
import { ROLES, type Role } from '../src/platform/iam/roles.ts';
import type { MessageCatalogue } from '../src/platform/i18n/index.ts';
import { makeWorld, submitCase, type World } from '../src/modules/supervision/testing.ts';

let ctx: TestContext;
let world: World;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  world = await makeWorld(ctx);
  await submitCase(ctx, world);
});
after(() => ctx?.close());

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every installed module's catalogues have the same keys and placeholders in Chinese and English", () => {
  const problems: string[] = [];
  const modules = ctx.platform.modules.modules;
  assert.ok(modules.some((m) => m.name === 'approval') && modules.some((m) => m.name === 'supervision'), 'the business modules are installed');
  for (const module of modules) {
    for (const [n, catalogue] of (module.messages ?? []).entries()) {
      const zh = catalogue['zh-CN'];
      const en = catalogue.en;
      for (const key of Object.keys(zh)) if (!(key in en)) problems.push(`${module.name}[${n}] ${key}: no English`);
      for (const key of Object.keys(en)) if (!(key in zh)) problems.push(`${module.name}[${n}] ${key}: no Chinese`);
      for (const key of Object.keys(zh)) {
        if (!(key in en)) continue;
        const [a, b] = [placeholders(zh[key]), placeholders(en[key])];
        if ([...new Set(a)].join() !== [...new Set(b)].join()) problems.push(`${module.name}[${n}] ${key}: placeholders {${a.join('}{')}} in Chinese, {${b.join('}{')}} in English`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

/** First segments used by message keys only, never by permissions, events or audit actions. */
const MESSAGE_ONLY_PREFIXES = new Set(['page', 'console', 'error', 'flash']);

/** Every key of the installed catalogues. */
function catalogueKeys() {
  const keys = new Set<string>();
  for (const module of ctx.platform.modules.modules) {
    for (const catalogue of module.messages ?? ([] as MessageCatalogue[])) for (const key of Object.keys(catalogue['zh-CN'])) keys.add(key);
  }
  return { keys };
}

/** What a reader sees: text between tags and the attributes read out or shown (title, labels, placeholders). */
function visibleText(html: string): string[] {
  const body = html.replace(/<script[\s\S]*?<\/script>/gi, ' ').replace(/<style[\s\S]*?<\/style>/gi, ' ');
  const texts = body.split(/<[^>]*>/).map((t) => t.trim()).filter(Boolean);
  for (const m of body.matchAll(/\s(?:title|aria-label|placeholder|alt|content)="([^"]*)"/g)) texts.push(m[1]);
  return texts;
}

function rawKeysIn(html: string, known: ReturnType<typeof catalogueKeys>): string[] {
  const found = new Set<string>();
  for (const text of visibleText(html)) {
    for (const m of text.matchAll(/(?<![\w./@-])([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)(?![\w/@-])/g)) {
      const token = m[1].replace(/\.$/, '');
      const [first] = token.split('.');
      // Audit actions, permissions and event names (approval.application.submit) are data shown on
      // purpose; a key is either in a catalogue or under a prefix only messages use.
      if (known.keys.has(token) || MESSAGE_ONLY_PREFIXES.has(first)) found.add(token);
    }
  }
  return [...found];
}

/** Paths of one shape (ids and numbers replaced, query values dropped) are visited once per account. */
function shapeOf(url: string): string {
  const [path, query = ''] = url.split('?');
  const keys = [...new URLSearchParams(query).keys()].sort().join('&');
  return `${path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id').replace(/\d+/g, ':n')}?${keys}`;
}

const SKIP = /^\/(api|static|files|docs|healthz|favicon)|logout|\/download|\.(pdf|xlsx|csv|png|js|css)(\?|$)|[?&](lang|format)=/;

/**
 * Walks the pages reachable by links from `start`, as `user` (or signed out), and returns the raw
 * message keys found on each page.
 */
async function walk(user: TestUser | null, start: string[], limit = 120) {
  const known = catalogueKeys();
  const seen = new Set<string>();
  const queue = [...start];
  const problems: string[] = [];
  const visited: string[] = [];
  while (queue.length && visited.length < limit) {
    const url = queue.shift()!;
    const shape = shapeOf(url);
    if (seen.has(shape)) continue;
    seen.add(shape);
    const res = await ctx.app.inject({ method: 'GET', url, headers: user ? bearer(user) : {} });
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof res.headers.location === 'string' && res.headers.location.startsWith('/')) {
      queue.push(res.headers.location);
      continue;
    }
    if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
    visited.push(url);
    for (const key of rawKeysIn(res.body, known)) problems.push(`${url}: ${key}`);
    for (const m of res.body.matchAll(/href="(\/[^"#]*)"/g)) {
      const link = m[1].replace(/&amp;/g, '&');
      if (!SKIP.test(link)) queue.push(link);
    }
  }
  return { problems, visited };
}

test('no console or portal page shows a raw message key, for any role or signed out', async () => {
  const people: Array<{ who: string; user: TestUser | null }> = [{ who: 'signed out', user: null }, { who: 'citizen', user: world.citizen }];
  for (const [who, user] of Object.entries(world.people)) people.push({ who, user });
  // Every built-in role, also those the world has no one for.
  const covered = new Set<Role>(['window_clerk', 'approver', 'unit_leader', 'supervisor', 'auditor']);
  for (const role of ROLES.filter((r) => !covered.has(r))) people.push({ who: role, user: await makeUser(ctx.platform, world.units.window, [role]) });

  const problems: string[] = [];
  const pages = new Set<string>();
  for (const { who, user } of people) {
    const start = user && who !== 'citizen' ? ['/console', '/services'] : ['/', '/services', '/login', '/register', '/my'];
    const result = await walk(user, start);
    for (const url of result.visited) pages.add(shapeOf(url));
    problems.push(...result.problems.map((p) => `${who} ${p}`));
  }
  // The walk reached the pages it is meant to check.
  const reached = [...pages].join('\n');
  for (const page of ['/console?', '/console/supervision?', '/console/approval/cases/:id?', '/services?', '/services/items/:id?', '/register?', '/login?']) {
    assert.ok(reached.includes(page), `${page} not reached:\n${reached}`);
  }
  assert.deepEqual(problems, []);
});
