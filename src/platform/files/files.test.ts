import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, loginSession, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { authenticateBearer } from '../iam/index.ts';
import type { Principal } from '../iam/principal.ts';
import type { AuditTables } from '../audit/service.ts';
import { verifyChain } from '../audit/service.ts';
import type { ZtModule } from '../module.ts';
import { attachFile, attachFiles, purgeUnattachedFiles, listAttachedFiles, canAccessFile, type FilesTables } from './service.ts';
import { SAMPLES, fileBody, multipartBody } from './testing.ts';

let ctx: TestContext;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let filesRoot: string;

// A stand-in for a module that attaches files to its objects: a case is visible to the
// users listed for it; "public" cases to everyone, signed in or not.
const caseReaders = new Map<string, Set<string>>();
const testModule: ZtModule = {
  name: 'test',
  fileAccess: { 'test.case': async (_platform, principal, ownerId) => ownerId.startsWith('public-') || (!!principal && !!caseReaders.get(ownerId)?.has(principal.userId)) },
};

before(async () => {
  ctx = await createTestContext({ modules: [testModule] });
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  alice = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  bob = await makeUser(ctx.platform, unit.id, ['approver']);
  carol = await makeUser(ctx.platform, unit.id);
  filesRoot = path.join(ctx.dataDir, 'files');
});
after(() => ctx.close());

const sm3 = (data: Buffer) => crypto.createHash('sm3').update(data).digest('hex');
const principalOf = async (user: TestUser) => (await authenticateBearer(ctx.platform, user.token)) as Principal;
const db = () => ctx.platform.db.withTables<FilesTables & AuditTables>();
const countRows = async () => (await db().selectFrom('files').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
const blobFiles = (root = filesRoot) =>
  fs.existsSync(root)
    ? fs
        .readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && !path.relative(root, e.parentPath).startsWith('tmp'))
        .map((e) => e.name)
    : [];
const stagingFiles = (root = filesRoot) => (fs.existsSync(path.join(root, 'tmp')) ? fs.readdirSync(path.join(root, 'tmp')) : []);

async function upload(user: TestUser | null, filename: string, content: Buffer, options: { contentType?: string; lang?: string; app?: TestContext } = {}) {
  const body = fileBody(filename, content, options.contentType);
  return (options.app ?? ctx).app.inject({
    method: 'POST',
    url: '/api/v1/files',
    headers: { ...body.headers, ...(user ? bearer(user) : {}), ...(options.lang ? { 'accept-language': options.lang } : {}) },
    payload: body.payload,
  });
}
const download = (user: TestUser | null, id: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: `/api/v1/files/${id}`, headers: { ...(user ? bearer(user) : {}), ...headers } });

/** Runs fn and checks that it wrote no file row, no blob and left no staging file. */
async function writesNothing(fn: () => Promise<void>, context = ctx, root = filesRoot) {
  const rows = await context.platform.db.withTables<FilesTables>().selectFrom('files').select('id').execute();
  const blobs = blobFiles(root).length;
  await fn();
  const after = await context.platform.db.withTables<FilesTables>().selectFrom('files').select('id').execute();
  assert.equal(after.length, rows.length, 'no file row written');
  assert.equal(blobFiles(root).length, blobs, 'no blob written');
  assert.deepEqual(stagingFiles(root), [], 'no staging file left');
}

test('upload: 201 with the contract fields; stored under its SM3 digest; audited', async () => {
  const content = SAMPLES.pdf();
  const res = await upload(alice, '2026年度工作报告.pdf', content, { contentType: 'application/octet-stream' });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['id', 'mime', 'name', 'size', 'sm3']);
  assert.equal(body.name, '2026年度工作报告.pdf');
  assert.equal(body.size, content.length);
  assert.equal(body.mime, 'application/pdf');
  assert.equal(body.sm3, sm3(content));
  const stored = path.join(filesRoot, body.sm3.slice(0, 2), body.sm3.slice(2, 4), body.sm3);
  assert.deepEqual(fs.readFileSync(stored), content);
  assert.deepEqual(stagingFiles(), []);
  const row = await db().selectFrom('files').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
  assert.equal(row.uploaded_by, alice.id);
  assert.equal(row.owner_id, null);
  const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'file.upload').where('object_id', '=', body.id).execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor_id, alice.id);
  assert.equal((audit[0].details as { sm3: string }).sm3, body.sm3);
});

test('download: the uploader gets an unattached file, streamed with safe headers and the SM3 ETag', async () => {
  const content = SAMPLES.png();
  const up = (await upload(alice, '现场照片 (1).png', content)).json();
  const res = await download(alice, up.id);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.rawPayload, content);
  assert.equal(res.headers['content-type'], 'image/png');
  assert.equal(res.headers['content-length'], String(content.length));
  assert.equal(res.headers['content-disposition'], `attachment; filename="____ (1).png"; filename*=UTF-8''${encodeURIComponent('现场照片').replace(/'/g, '%27')}%20%281%29.png`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers.etag, `"${up.sm3}"`);
  assert.match(String(res.headers['cache-control']), /private/);
  const again = await download(alice, up.id, { 'if-none-match': `"${up.sm3}"` });
  assert.equal(again.statusCode, 304);
  assert.equal(again.rawPayload.length, 0);
});

test('the same content twice: two files, one stored blob, same digest; also when uploaded at once', async () => {
  const content = Buffer.from(`同一份材料 ${crypto.randomUUID()}\n`, 'utf8');
  const blobsBefore = blobFiles().length;
  const first = (await upload(alice, 'a.txt', content)).json();
  const second = (await upload(bob, 'b.txt', content)).json();
  assert.notEqual(first.id, second.id);
  assert.equal(first.sm3, second.sm3);
  assert.equal(blobFiles().length, blobsBefore + 1);

  const other = Buffer.from(`并发上传 ${crypto.randomUUID()}\n`, 'utf8');
  const results = await Promise.all([upload(alice, 'c.txt', other), upload(bob, 'd.txt', other), upload(carol, 'e.txt', other)]);
  assert.deepEqual(results.map((r) => r.statusCode), [201, 201, 201]);
  assert.equal(new Set(results.map((r) => r.json().sm3)).size, 1);
  assert.equal(blobFiles().length, blobsBefore + 2);
  assert.deepEqual(stagingFiles(), []);
});

test('allowed types are stored with the type of their content, whatever the name or header claims', async () => {
  const cases: Array<[string, Buffer, string, string]> = [
    ['申请书.docx', SAMPLES.docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', '申请书.docx'],
    ['台账.xlsx', SAMPLES.xlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '台账.xlsx'],
    ['批复.ofd', SAMPLES.ofd(), 'application/ofd', '批复.ofd'],
    ['通知.wps', SAMPLES.doc(), 'application/msword', '通知.wps'],
    ['统计.xls', SAMPLES.xls(), 'application/vnd.ms-excel', '统计.xls'],
    ['材料.zip', SAMPLES.zip(), 'application/zip', '材料.zip'],
    ['scan.jpg', SAMPLES.jpeg(), 'image/jpeg', 'scan.jpg'],
    ['scan.tif', SAMPLES.tiff(), 'image/tiff', 'scan.tif'],
    ['名单.csv', SAMPLES.textGb18030(), 'text/plain', '名单.csv'],
    // The name claims a PDF, the content is a PNG: stored as a PNG, named so it opens as one.
    ['营业执照.pdf', SAMPLES.png(), 'image/png', '营业执照.pdf.png'],
  ];
  for (const [name, content, mime, storedName] of cases) {
    const res = await upload(alice, name, content, { contentType: 'application/pdf' });
    assert.equal(res.statusCode, 201, `${name}: ${res.body}`);
    assert.equal(res.json().mime, mime, name);
    assert.equal(res.json().name, storedName);
  }
});

test('refused types: 415 FILE_TYPE_NOT_ALLOWED from the content, and nothing written', async () => {
  const cases: Array<[string, Buffer, string | null]> = [
    ['年度报告.pdf', SAMPLES.exe(), 'application/x-msdownload'],
    ['说明.pdf', SAMPLES.elf(), 'application/x-elf'],
    ['通知.pdf', SAMPLES.html(), 'text/html'],
    ['图.png', SAMPLES.svg(), 'text/html'],
    ['readme.txt', SAMPLES.script(), 'text/x-script'],
    ['tool.zip', SAMPLES.jar(), 'application/java-archive'],
    ['宏.docx', SAMPLES.docm(), 'application/vnd.ms-word.document.macroEnabled.12'],
    ['setup.doc', SAMPLES.msi(), 'application/x-cfb'],
    ['data.bin', SAMPLES.unknown(), null],
  ];
  for (const [name, content, detected] of cases) {
    await writesNothing(async () => {
      const res = await upload(alice, name, content, { contentType: 'application/pdf' });
      const p = problem(res);
      assert.equal(p.status, 415, `${name}: ${res.body}`);
      assert.equal(p.body.code, 'FILE_TYPE_NOT_ALLOWED');
      assert.equal((p.body as { detected?: string | null }).detected, detected);
      assert.match(String(p.type), /problem\+json/);
    });
  }
  const en = problem(await upload(alice, 'x.pdf', SAMPLES.exe(), { lang: 'en' }));
  assert.match(en.body.detail, /^File type not accepted: Windows program \(EXE\)\. Allowed types: PDF/);
  const zhExe = problem(await upload(alice, 'x.pdf', SAMPLES.exe()));
  assert.match(zhExe.body.detail, /^不支持的文件类型：Windows 可执行程序（EXE）。/, 'the type in words, not its MIME name');
  const zh = problem(await upload(alice, 'x.pdf', SAMPLES.unknown()));
  assert.match(zh.body.detail, /无法识别/);
});

test('file names: path components, control characters and length are dealt with; the name never reaches the disk', async () => {
  const content = Buffer.from(`路径穿越 ${crypto.randomUUID()}\n`);
  const res = await upload(alice, '../../x', content);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().name, 'x.txt');
  for (const dir of [ctx.dataDir, filesRoot, path.join(filesRoot, 'tmp'), path.dirname(ctx.dataDir)]) {
    assert.equal(fs.existsSync(path.join(dir, 'x')), false, `no file x in ${dir}`);
  }
  assert.ok(fs.existsSync(path.join(filesRoot, res.json().sm3.slice(0, 2), res.json().sm3.slice(2, 4), res.json().sm3)));

  const windows = await upload(alice, '..\\..\\Windows\\win.ini', content);
  assert.equal(windows.json().name, 'win.ini.txt');
  const sneaky = await upload(alice, 'invoice\u202Efdp.exe', SAMPLES.pdf());
  assert.equal(sneaky.json().name, 'invoicefdp.exe.pdf');
  const long = await upload(alice, `${'很长的文件名'.repeat(80)}.pdf`, SAMPLES.pdf());
  assert.equal(Array.from(long.json().name as string).length, 200);
  assert.ok(long.json().name.endsWith('.pdf'));
  const dots = await upload(alice, '..', SAMPLES.pdf());
  assert.equal(dots.json().name, 'file.pdf');
});

test('bad requests: empty file, no file, two files, not multipart, broken multipart', async () => {
  await writesNothing(async () => {
    const empty = problem(await upload(alice, 'empty.pdf', Buffer.alloc(0)));
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 'VALIDATION_FAILED');
    assert.equal(empty.body.errors?.[0].path, 'file');
    assert.equal(empty.body.errors?.[0].message, '文件内容为空');

    const noFile = multipartBody([{ name: 'note', content: 'no file here' }]);
    const missing = problem(await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...noFile.headers, ...bearer(alice) }, payload: noFile.payload }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors?.[0].path, 'file');

    const two = multipartBody([
      { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf() },
      { name: 'file', filename: 'b.pdf', content: SAMPLES.pdf() },
    ]);
    const twoFiles = problem(await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...two.headers, ...bearer(alice) }, payload: two.payload }));
    assert.equal(twoFiles.status, 400);
    assert.equal(twoFiles.body.errors?.[0].path, 'file');

    const json = problem(await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: bearer(alice), payload: { file: 'JVBERi0=' } }));
    assert.equal(json.status, 415);
    assert.equal(json.body.code, 'UNSUPPORTED_MEDIA_TYPE');

    const good = fileBody('a.pdf', SAMPLES.pdf());
    const truncated = good.payload.subarray(0, good.payload.length - 20);
    const broken = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...good.headers, ...bearer(alice) }, payload: truncated });
    assert.equal(broken.statusCode, 400, broken.body);
  });
});

test('unauthenticated: 401 for upload and for a private file; a bad token is 401 too', async () => {
  await writesNothing(async () => {
    const res = problem(await upload(null, 'a.pdf', SAMPLES.pdf()));
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'AUTH_REQUIRED');
    const badToken = await upload({ ...alice, token: 'zt_nope' }, 'a.pdf', SAMPLES.pdf());
    assert.equal(badToken.statusCode, 401);
  });
  const up = (await upload(alice, 'private.pdf', SAMPLES.pdf())).json();
  assert.equal(problem(await download(null, up.id)).status, 401);
  // An unknown id answers the same, so anonymous callers learn nothing.
  assert.equal(problem(await download(null, crypto.randomUUID())).status, 401);
});

test('a browser session must send its CSRF token with the upload', async () => {
  const session = await loginSession(ctx.app, carol.username);
  const body = fileBody('a.pdf', SAMPLES.pdf());
  await writesNothing(async () => {
    const without = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...body.headers, cookie: session.cookie }, payload: body.payload });
    assert.equal(problem(without).body.code, 'CSRF_INVALID');
  });
  const withToken = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...body.headers, cookie: session.cookie, 'x-csrf-token': session.csrfToken }, payload: body.payload });
  assert.equal(withToken.statusCode, 201, withToken.body);
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${withToken.json().id}`, headers: { cookie: session.cookie } })).statusCode, 200);
});

test("another user's unattached file is not found; so is a made-up id", async () => {
  const up = (await upload(alice, 'mine.pdf', SAMPLES.pdf())).json();
  const res = problem(await download(bob, up.id));
  assert.equal(res.status, 404);
  assert.equal(res.body.code, 'NOT_FOUND');
  assert.equal(problem(await download(bob, crypto.randomUUID())).status, 404);
  assert.equal(problem(await download(bob, 'x'.repeat(65))).status, 400);
});

test('attach: only the uploader, once; then the owning module decides who downloads', async () => {
  const up = (await upload(alice, '申请材料.pdf', SAMPLES.pdf())).json();
  const caseId = `case-${crypto.randomUUID()}`;
  caseReaders.set(caseId, new Set([bob.id]));
  const a = await principalOf(alice);
  const b = await principalOf(bob);

  // Someone else cannot attach Alice's file, nor learn that it exists.
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'test.case', ownerId: caseId }, b)),
    (e: { code?: string }) => e.code === 'NOT_FOUND',
  );
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, crypto.randomUUID(), { ownerType: 'test.case', ownerId: caseId }, a)),
    (e: { code?: string }) => e.code === 'NOT_FOUND',
  );
  // An owner type that is not '<module>.<object>' is a programming error; one no installed module
  // declares a policy for leaves its files to nobody (checked below with 'test.nobody').
  await assert.rejects(inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'Test Nobody', ownerId: caseId }, a)), /invalid file owner type/);

  const attached = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'test.case', ownerId: caseId }, a, ctx.clock.now()));
  assert.equal(attached.ownerId, caseId);
  assert.ok(attached.attachedAt);
  const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'file.attach').where('object_id', '=', up.id).execute();
  assert.equal(audit.length, 1);

  // Attaching again to the same object is harmless; to another one is refused.
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'test.case', ownerId: caseId }, a));
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'test.case', ownerId: 'case-other' }, a)),
    (e: { code?: string }) => e.code === 'CONFLICT',
  );
  assert.deepEqual((await listAttachedFiles(ctx.platform.db, { ownerType: 'test.case', ownerId: caseId })).map((f) => f.id), [up.id]);

  // Bob may read the case, so he may download; the uploader no longer decides.
  assert.equal((await download(bob, up.id)).statusCode, 200);
  assert.equal(problem(await download(alice, up.id)).status, 404);
  assert.equal(problem(await download(carol, up.id)).status, 404);
  assert.equal(problem(await download(null, up.id)).status, 401);
  assert.equal(await canAccessFile(ctx.platform, b, up.id), true);
  assert.equal(await canAccessFile(ctx.platform, a, up.id), false);

  // A public object's attachments can be downloaded without signing in.
  const pub = (await upload(alice, '公示.pdf', SAMPLES.pdf())).json();
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, pub.id, { ownerType: 'test.case', ownerId: 'public-1' }, a));
  assert.equal((await download(null, pub.id)).statusCode, 200);

  // Files of an owner type no installed module declares a policy for: nobody downloads them.
  const orphan = (await upload(alice, '孤立.pdf', SAMPLES.pdf())).json();
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, orphan.id, { ownerType: 'test.nobody', ownerId: 'public-2' }, a));
  assert.equal(problem(await download(alice, orphan.id)).status, 404);
  assert.equal(await canAccessFile(ctx.platform, a, orphan.id), false);
});

test('attaching the same file from two transactions at once: one wins, the other conflicts', async () => {
  const up = (await upload(alice, 'race.pdf', SAMPLES.pdf())).json();
  const a = await principalOf(alice);
  const results = await Promise.allSettled(
    ['case-r1', 'case-r2'].map((ownerId) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, up.id, { ownerType: 'test.case', ownerId }, a))),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal(failure.reason.code, 'CONFLICT');
});

test('attaching several files: all at once, or none when one is not the caller\'s', async () => {
  const [one, two] = [(await upload(alice, 'one.pdf', SAMPLES.pdf())).json(), (await upload(alice, 'two.pdf', SAMPLES.pdf())).json()];
  const theirs = (await upload(bob, 'theirs.pdf', SAMPLES.pdf())).json();
  const a = await principalOf(alice);
  const attach = (ids: string[], ownerId: string) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFiles(work, ids, { ownerType: 'test.case', ownerId }, a));
  await assert.rejects(attach([one.id, theirs.id, two.id], 'case-batch'), (e: { code?: string }) => e.code === 'NOT_FOUND');
  const owners = async () => (await db().selectFrom('files').select(['id', 'owner_id']).where('id', 'in', [one.id, two.id]).orderBy('name').execute()).map((r) => r.owner_id);
  assert.deepEqual(await owners(), [null, null], 'nothing attached by a refused batch');
  const done = await attach([one.id, two.id, one.id], 'case-batch');
  assert.deepEqual(done.map((f) => f.id), [one.id, two.id, one.id]);
  assert.deepEqual(await owners(), ['case-batch', 'case-batch']);
  assert.equal((await attach([two.id], 'case-batch'))[0].id, two.id, 'again to the same owner: nothing to do');
  await assert.rejects(attach([one.id], 'case-elsewhere'), (e: { code?: string }) => e.code === 'CONFLICT');
});

test('abandoned uploads are purged after the retention; attached files and shared content stay', async () => {
  const a = await principalOf(alice);
  const old = Buffer.from(`旧的 ${crypto.randomUUID()}\n`);
  const shared = Buffer.from(`共享 ${crypto.randomUUID()}\n`);
  const abandoned = (await upload(alice, 'old.txt', old)).json();
  const sharedOld = (await upload(alice, 'shared-old.txt', shared)).json();
  const kept = (await upload(alice, 'kept.pdf', SAMPLES.pdf())).json();
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => attachFile(work, kept.id, { ownerType: 'test.case', ownerId: 'case-keep' }, a));
  // Three days ago (moving the clock instead would expire the test users' tokens).
  await db()
    .updateTable('files')
    .set({ uploaded_at: new Date(ctx.clock.now().getTime() - 73 * 3600_000) })
    .where('id', 'in', [abandoned.id, sharedOld.id, kept.id])
    .execute();
  const sharedNew = (await upload(bob, 'shared-new.txt', shared)).json();
  const blobPath = (digest: string) => path.join(filesRoot, digest.slice(0, 2), digest.slice(2, 4), digest);

  const result = await purgeUnattachedFiles(ctx.platform);
  assert.ok(result.rows >= 2);
  const remaining = new Set((await db().selectFrom('files').select('id').execute()).map((r) => r.id));
  assert.equal(remaining.has(abandoned.id), false);
  assert.equal(remaining.has(sharedOld.id), false);
  assert.equal(remaining.has(kept.id), true);
  assert.equal(remaining.has(sharedNew.id), true);
  assert.equal(fs.existsSync(blobPath(abandoned.sm3)), false, 'unreferenced content removed');
  assert.equal(fs.existsSync(blobPath(sharedNew.sm3)), true, 'content still referenced stays');
  assert.equal((await download(bob, sharedNew.id)).statusCode, 200);
  // Content removed, then uploaded again: stored again.
  const again = (await upload(alice, 'old-again.txt', old)).json();
  assert.equal(again.sm3, abandoned.sm3);
  assert.deepEqual(fs.readFileSync(blobPath(again.sm3)), old);
  assert.equal((await download(alice, again.id)).statusCode, 200);
});

test('the audit chain is whole after all of the above', async () => {
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
  assert.ok((await countRows()) > 0);
});

// ------------------------------------------------------------------ size limit

test('size limit: at the limit is fine; past it is 413 with nothing written, never buffered', async (t) => {
  const small = await createTestContext({ env: { ZT_UPLOAD_LIMIT_MB: '1' } });
  t.after(() => small.close());
  await seedRegions(small.platform);
  const unit = await makeUnit(small.platform);
  const user = await makeUser(small.platform, unit.id);
  const root = path.join(small.dataDir, 'files');
  const MB = 1024 * 1024;
  const pdfOf = (size: number) => Buffer.concat([SAMPLES.pdf(), Buffer.alloc(size - SAMPLES.pdf().length, 0x20)]);

  const exact = await upload(user, 'exact.pdf', pdfOf(MB), { app: small });
  assert.equal(exact.statusCode, 201, exact.body);
  assert.equal(exact.json().size, MB);

  // Just past the limit: the declared length looks plausible, the stream is cut while read.
  await writesNothing(
    async () => {
      const res = problem(await upload(user, 'big.pdf', pdfOf(MB + 10 * 1024), { app: small }));
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
      assert.match(res.body.detail, /1 MB/);
    },
    small,
    root,
  );

  // A declared 2 GB body is refused before a byte of it is read.
  let produced = 0;
  const boundary = 'zt2gb';
  const total = 2 * 1024 ** 3;
  function* twoGigabytes() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    while (produced < total) {
      produced += chunk.length;
      yield chunk;
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  await writesNothing(
    async () => {
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/v1/files',
        headers: { ...bearer(user), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total + 200) },
        payload: Readable.from(twoGigabytes()),
      });
      assert.equal(problem(res).body.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(res.headers.connection, 'close');
      assert.equal(produced, 0);
    },
    small,
    root,
  );

  // Over a real connection, 2 GB sent chunked (no declared length): the server answers 413
  // after reading about the limit, and closes the connection.
  await small.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = small.app.server.address() as AddressInfo;
  produced = 0;
  await writesNothing(
    async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/files', headers: { ...bearer(user), 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } });
        let answered = false;
        req.on('response', (res) => {
          answered = true;
          res.resume();
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on('error', (error) => (answered ? undefined : reject(error)));
        const source = twoGigabytes();
        const pump = () => {
          while (!answered) {
            const next = source.next();
            if (next.done) return void req.end();
            if (!req.write(next.value)) return void req.once('drain', pump);
          }
        };
        pump();
      });
      assert.equal(status, 413);
      assert.ok(produced < 64 * MB, `the client got to send only ${Math.round(produced / MB)} MB`);
    },
    small,
    root,
  );
});
