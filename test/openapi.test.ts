import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, type TestContext } from './helpers.ts';

let ctx: TestContext;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
let body: string;
interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

/**
 * Warnings of Redocly's recommended rules that are accepted, by rule, with the reason.
 * Anything else fails the test.
 */
const ALLOWED_WARNINGS: Record<string, string> = {
  // None today: add a rule here only with the reason it cannot be met.
};

before(async () => {
  ctx = await createTestContext();
  const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(res.statusCode, 200);
  body = res.body;
  doc = res.json();
});
after(() => ctx.close());

const operations = () => Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ path: p, method, op })));

test('the document lints clean with Redocly’s recommended rules', async () => {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: body, absoluteRef: path.join(os.tmpdir(), 'zhengtong-openapi.json'), config });
  const describe = (p: (typeof problems)[number]) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`;
  const errors = problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map(describe), []);
  const unexpected = problems.filter((p) => p.severity === 'warn' && !(p.ruleId in ALLOWED_WARNINGS));
  assert.deepEqual(unexpected.map(describe), []);
});

test('every operation has a unique camelCase operationId and a problem+json refusal', () => {
  const seen = new Set<string>();
  for (const { path: p, method, op } of operations()) {
    assert.match(op.operationId ?? '', /^[a-z][a-zA-Z0-9]*$/, `${method} ${p} operationId`);
    assert.ok(!seen.has(op.operationId!), `${op.operationId} is unique`);
    seen.add(op.operationId!);
    const refusals = Object.entries(op.responses).filter(([status]) => status.startsWith('4'));
    assert.ok(refusals.length > 0, `${method} ${p} declares its refusals`);
    for (const [, response] of refusals) assert.deepEqual(response.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' });
  }
  assert.ok(doc.components.schemas.Problem);
});

test('public routes need no sign-in in the document', () => {
  const find = (method: string, p: string) => doc.paths[p][method];
  for (const [method, p] of [
    ['post', '/api/v1/auth/login'],
    ['get', '/healthz'],
    ['get', '/readyz'],
    ['get', '/api/v1/public/progress'],
    ['get', '/api/v1/calendar/{year}'],
    ['get', '/api/v1/regions'],
  ]) {
    assert.deepEqual(find(method, p).security, [], `${method} ${p} is public`);
  }
  assert.equal(find('get', '/api/v1/me').security, undefined, 'signed-in routes keep the global requirement');
});

test('answers match the document', async () => {
  const ajv = addFormats.default(new Ajv2020({ strict: false, allErrors: true }));
  for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  const check = (method: string, p: string, status: number, answer: { headers: Record<string, unknown>; body: string }) => {
    const response = doc.paths[p][method].responses[String(status)];
    assert.ok(response, `${method} ${p} documents ${status}`);
    const contentType = String(answer.headers['content-type']).split(';')[0];
    const schema = response.content?.[contentType]?.schema;
    assert.ok(schema, `${method} ${p} ${status} documents ${contentType}`);
    const validate = ajv.compile({ ...(schema as object), $defs: undefined });
    assert.ok(validate(JSON.parse(answer.body)), `${method} ${p} ${status}: ${JSON.stringify(validate.errors)}`);
  };
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  const calls: Array<[string, string, string, Record<string, string>, number]> = [
    ['get', '/healthz', '/healthz', {}, 200],
    ['get', '/api/v1/me', '/api/v1/me', bearer(admin), 200],
    ['get', '/api/v1/me', '/api/v1/me', {}, 401],
    ['get', '/api/v1/regions', '/api/v1/regions', {}, 200],
    ['get', '/api/v1/units/{id}', `/api/v1/units/${unit.id}`, {}, 200],
    ['get', '/api/v1/units/{id}', '/api/v1/units/nope', {}, 404],
    ['get', '/api/v1/users', '/api/v1/users', bearer(admin), 200],
    ['get', '/api/v1/users', '/api/v1/users?limit=0', bearer(admin), 400],
    ['get', '/api/v1/jobs', '/api/v1/jobs', bearer(admin), 200],
    ['get', '/api/v1/calendar/{year}', '/api/v1/calendar/2026', {}, 200],
    ['get', '/api/v1/audit', '/api/v1/audit', bearer(admin), 403],
  ];
  for (const [method, p, url, headers, status] of calls) {
    const res = await ctx.app.inject({ method: method.toUpperCase() as 'GET', url, headers });
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    check(method, p, status, res);
  }
});

test('a TypeScript client generated from the document compiles and names its operations', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-openapi-client-'));
  try {
    const types = astToString(await openapiTS(body));
    fs.writeFileSync(path.join(dir, 'api.d.ts'), types);
    fs.writeFileSync(
      path.join(dir, 'use.ts'),
      [
        "import type { operations, components } from './api.js';",
        "type SignIn = operations['signIn']['requestBody'];",
        "type Me = operations['getMe']['responses'][200]['content']['application/json'];",
        "type Submit = operations['submitApplication'];",
        "type Complete = operations['completeTask'];",
        "type Problem = components['schemas']['Problem'];",
        "const code: Problem['code'] = 'NOT_FOUND';",
        "const me: Pick<Me, 'id' | 'username'> = { id: 'u', username: 'n' };",
        'export type All = [SignIn, Submit, Complete];',
        'export { code, me };',
      ].join('\n'),
    );
    const program = ts.createProgram([path.join(dir, 'use.ts')], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: false, types: [] });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
