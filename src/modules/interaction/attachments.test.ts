import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, loginSession, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { cookieOf, formTokenOf, interactionFixture, type InteractionFixture } from './testing.ts';
import { interactionDb } from './model.ts';
import { sm3 } from '../../platform/crypto/index.ts';
import { fileBody, multipartBody, SAMPLES } from '../../platform/files/testing.ts';
import { purgeUnattachedFiles } from '../../platform/files/index.ts';
import { sql } from '../../platform/db/index.ts';

let ctx: TestContext;
let f: InteractionFixture;
let ipSeq = 0;
const nextIp = () => `10.7.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
let phoneSeq = 0;
const nextPhone = () => `137${String(10_000_000 + ++phoneSeq * 7919).slice(-8)}`;

before(async () => {
  ctx = await createTestContext({ env: { ZT_INTERACTION_UPLOAD_LIMIT_MB: '1' } });
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

type Uploaded = { id: string; name: string; size: number; mime: string; token: string };
const upload = (name: string, content: Buffer, ip = nextIp(), headers: Record<string, string> = {}) => {
  const body = fileBody(name, content);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters/attachments', payload: body.payload, headers: { ...body.headers, ...headers }, remoteAddress: ip });
};
async function uploaded(name: string, content: Buffer): Promise<Uploaded> {
  const res = await upload(name, content);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}
const letter = (extra: Record<string, unknown> = {}) => ({ channel: 'unit_mailbox', targetUnitId: f.dept.id, title: `来信附件${++phoneSeq}`, body: '详见附件。', name: '李四', phone: nextPhone(), isPublic: true, ...extra });
const send = (payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters', payload, remoteAddress: nextIp(), headers });
const download = (trackingNo: string, fileId: string, code: string) => ctx.app.inject({ url: `/api/v1/public/letters/${trackingNo}/files/${fileId}?code=${encodeURIComponent(code)}`, remoteAddress: nextIp() });
const caseCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from interaction_cases`.execute(ctx.platform.db)).rows[0].n);
const fileRow = (id: string) => sql<{ owner_type: string | null; owner_id: string | null; uploaded_by: string | null; sm3: string }>`select owner_type, owner_id, uploaded_by, sm3 from files where id = ${id}`.execute(ctx.platform.db).then((r) => r.rows[0]);
const staffPost = (user: TestUser, id: string, action: string, payload: unknown = {}) => ctx.app.inject({ method: 'POST', url: `/api/v1/interaction/cases/${id}/${action}`, headers: bearer(user), payload: payload as object });

describe('a letter with attachments from a writer not signed in', () => {
  test('upload, send with the tokens, stored exactly; the writer downloads with the code, the unit through the files module', async () => {
    const pdf = SAMPLES.pdf();
    const png = SAMPLES.png();
    const a = await uploaded('现场照片.pdf', pdf);
    const b = await uploaded('photo.png', png);
    assert.equal(a.mime, 'application/pdf');
    assert.ok(a.token.length >= 20);
    // Nobody downloads an unattached public upload, not even through the files module.
    assert.equal((await ctx.app.inject({ url: `/api/v1/files/${a.id}` })).statusCode, 401);
    const res = await send(letter({ attachments: [{ id: a.id, token: a.token }, { id: b.id, token: b.token }] }));
    assert.equal(res.statusCode, 201, res.body);
    const got = res.json() as { id: string; trackingNo: string; queryCode: string };
    const row = await fileRow(a.id);
    assert.equal(row.owner_type, 'interaction.case');
    assert.equal(row.owner_id, got.id);
    assert.equal(row.uploaded_by, null);
    // The token is spent: its row is gone.
    assert.equal((await interactionDb(ctx.platform.db).selectFrom('interaction_uploads').select('file_id').where('file_id', 'in', [a.id, b.id]).execute()).length, 0);

    const mine = await ctx.app.inject({ url: `/api/v1/public/letters/${got.trackingNo}?code=${got.queryCode}`, remoteAddress: nextIp() });
    assert.deepEqual(
      (mine.json() as { attachments: Array<{ id: string; name: string }> }).attachments.map((x) => x.name),
      ['现场照片.pdf', 'photo.png'],
    );
    const dl = await download(got.trackingNo, a.id, got.queryCode);
    assert.equal(dl.statusCode, 200);
    assert.equal(sm3(dl.rawPayload), sm3(pdf));
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.equal((await download(got.trackingNo, a.id, 'WRONGCODE')).statusCode, 404);
    assert.equal((await download(got.trackingNo, crypto.randomUUID(), got.queryCode)).statusCode, 404);

    // The unit that has it downloads through the files module; another unit's staff and the public do not.
    const staff = await ctx.app.inject({ url: `/api/v1/files/${b.id}`, headers: bearer(f.dept.responder) });
    assert.equal(staff.statusCode, 200);
    assert.equal(sm3(staff.rawPayload), sm3(png));
    assert.equal((await ctx.app.inject({ url: `/api/v1/files/${b.id}`, headers: bearer(f.other.responder) })).statusCode, 404);
    assert.equal((await ctx.app.inject({ url: `/api/v1/files/${b.id}` })).statusCode, 401);
    const view = await ctx.app.inject({ url: `/api/v1/interaction/cases/${got.id}`, headers: bearer(f.dept.responder) });
    assert.deepEqual((view.json() as { attachments: Array<{ id: string }> }).attachments.map((x) => x.id), [a.id, b.id]);
  });

  test('a wrong token, another letter’s file, a file used twice or someone else’s upload: 422, nothing written', async () => {
    const a = await uploaded('a.pdf', SAMPLES.pdf());
    const before = await caseCount();
    const wrong = await send(letter({ attachments: [{ id: a.id, token: 'x'.repeat(32) }] }));
    assert.equal(wrong.statusCode, 422);
    assert.equal(problem(wrong).body.code, 'INTERACTION_ATTACHMENT_REFUSED');
    assert.equal(problem(wrong).body.errors?.[0]?.path, 'attachments.0');
    assert.equal(await caseCount(), before);
    assert.equal((await fileRow(a.id)).owner_id, null);

    // A staff member's private upload, named without a token by an anonymous writer.
    const sb = fileBody('内部.pdf', SAMPLES.pdf());
    const staffFile = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...bearer(f.dept.responder), ...sb.headers }, payload: sb.payload });
    assert.equal(staffFile.statusCode, 201);
    const staffId = (staffFile.json() as { id: string }).id;
    const others = await send(letter({ attachments: [{ id: staffId }] }));
    assert.equal(others.statusCode, 422);
    assert.equal(await caseCount(), before);

    const firstLetter = letter({ attachments: [{ id: a.id, token: a.token }] });
    const first = await send(firstLetter);
    assert.equal(first.statusCode, 201);
    // The same letter posted again a moment later (a retry): the first case, its file still there.
    const retry = await send(firstLetter);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal((retry.json() as { id: string }).id, (first.json() as { id: string }).id);
    // The same upload in another letter: refused, and the other letter is not written.
    const again = await send(letter({ attachments: [{ id: a.id, token: a.token }] }));
    assert.equal(again.statusCode, 422, again.body);
    assert.equal(await caseCount(), before + 1);
    assert.equal((await fileRow(a.id)).owner_id, (first.json() as { id: string }).id);

    const six = await send(letter({ attachments: Array.from({ length: 6 }, () => ({ id: a.id, token: a.token })) }));
    assert.equal(six.statusCode, 400);
  });

  test('too large is 413, a type not allowed 415, an empty body 400; nothing recorded', async () => {
    const big = Buffer.concat([SAMPLES.pdf(), Buffer.alloc(1024 * 1024 + 10, 0x20)]);
    const tooBig = await upload('big.pdf', big);
    assert.equal(tooBig.statusCode, 413);
    assert.equal(problem(tooBig).body.code, 'PAYLOAD_TOO_LARGE');
    const exe = await upload('setup.pdf', SAMPLES.exe());
    assert.equal(exe.statusCode, 415);
    assert.equal(problem(exe).body.code, 'FILE_TYPE_NOT_ALLOWED');
    const html = await upload('page.txt', SAMPLES.html());
    assert.equal(html.statusCode, 415);
    const none = await ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters/attachments', payload: { x: 1 }, remoteAddress: nextIp() });
    assert.equal(none.statusCode, 415);
  });

  test('uploads are limited per address', async () => {
    const ip = nextIp();
    let last = 0;
    for (let i = 0; i < 41; i += 1) last = (await upload(`n${i}.txt`, Buffer.from(`第${i}份说明\n`), ip)).statusCode;
    assert.equal(last, 429);
  });

  test('an unattached public upload is purged like any other, and its token then refused', async () => {
    const a = await uploaded('abandoned.pdf', SAMPLES.pdf());
    // Older than the retention (the clock is left alone: the accounts' tokens would expire).
    await purgeUnattachedFiles(ctx.platform, { olderThanMs: 0 });
    assert.equal(await fileRow(a.id), undefined);
    const gone = await send(letter({ attachments: [{ id: a.id, token: a.token }] }));
    assert.equal(gone.statusCode, 422);
  });

  test('the board lists no attachment and filters by category', async () => {
    const a = await uploaded('住址证明.pdf', SAMPLES.pdf());
    const got = (await send(letter({ category: `城市管理${process.pid}`, attachments: [{ id: a.id, token: a.token }] }))).json() as { id: string };
    const other = (await send(letter({ category: `教育${process.pid}` }))).json() as { id: string };
    const now = ctx.platform.clock.now();
    await interactionDb(ctx.platform.db).updateTable('interaction_cases').set({ state: 'answered', answer_body: '已处理。', answered_at: now, moderation: 'published', published_at: now, public_body: '（公开的问题）', public_answer: '已处理。' }).where('id', 'in', [got.id, other.id]).execute();
    const board = await ctx.app.inject({ url: `/api/v1/public/letters?category=${encodeURIComponent(`城市管理${process.pid}`)}` });
    assert.equal(board.statusCode, 200);
    const items = (board.json() as { items: Array<Record<string, unknown>> }).items;
    assert.equal(items.length, 1);
    assert.equal(items[0].category, `城市管理${process.pid}`);
    assert.ok(!JSON.stringify(board.json()).includes(a.id));
    assert.ok(!JSON.stringify(board.json()).includes('住址证明'));
    assert.equal(((await ctx.app.inject({ url: `/api/v1/public/letters?category=${encodeURIComponent(`教育${process.pid}`)}` })).json() as { items: unknown[] }).items.length, 1);
    const page = await ctx.app.inject({ url: `/interaction/board?category=${encodeURIComponent(`教育${process.pid}`)}` });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`教育${process.pid}`));
    assert.ok(!page.body.includes('住址证明'));
  });
});

describe('answer documents of a disclosure request', () => {
  test('kept with the draft, downloadable by the writer only once the leader approved the answer', async () => {
    const res = await send(letter({ channel: 'disclosure_request', isPublic: false, idNumber: '11010119900307803X', title: '申请公开2026年道路维修计划' }));
    assert.equal(res.statusCode, 201, res.body);
    const got = res.json() as { id: string; trackingNo: string; queryCode: string };
    const body = fileBody('答复书.pdf', SAMPLES.pdf());
    const up = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...bearer(f.dept.responder), ...body.headers }, payload: body.payload });
    const docId = (up.json() as { id: string }).id;
    // Another responder's upload is refused.
    const otherBody = fileBody('x.pdf', SAMPLES.pdf());
    const otherUp = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...bearer(f.other.responder), ...otherBody.headers }, payload: otherBody.payload });
    assert.equal(otherUp.statusCode, 201, otherUp.body);
    const refused = await staffPost(f.dept.responder, got.id, 'answer', { body: '部分公开，见答复书。', publish: false, answerType: 'partial', attachments: [(otherUp.json() as { id: string }).id] });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal((await interactionDb(ctx.platform.db).selectFrom('interaction_cases').select('state').where('id', '=', got.id).executeTakeFirstOrThrow()).state, 'assigned');

    const drafted = await staffPost(f.dept.responder, got.id, 'answer', { body: '部分公开，见答复书。', publish: false, answerType: 'partial', attachments: [docId] });
    assert.equal(drafted.statusCode, 200, drafted.body);
    const view = (await ctx.app.inject({ url: `/api/v1/interaction/cases/${got.id}`, headers: bearer(f.dept.leader) })).json() as { draft: { attachments: Array<{ id: string }> } };
    assert.deepEqual(view.draft.attachments.map((x) => x.id), [docId]);
    assert.equal((await ctx.app.inject({ url: `/api/v1/files/${docId}`, headers: bearer(f.dept.leader) })).statusCode, 200);

    // Before the leader approves: the writer sees no document and cannot download it.
    const before = (await ctx.app.inject({ url: `/api/v1/public/letters/${got.trackingNo}?code=${got.queryCode}`, remoteAddress: nextIp() })).json() as { answerAttachments: unknown[] };
    assert.deepEqual(before.answerAttachments, []);
    assert.equal((await download(got.trackingNo, docId, got.queryCode)).statusCode, 404);

    assert.equal((await staffPost(f.dept.leader, got.id, 'approve-answer')).statusCode, 200);
    const after = (await ctx.app.inject({ url: `/api/v1/public/letters/${got.trackingNo}?code=${got.queryCode}`, remoteAddress: nextIp() })).json() as { answerType: string; answerAttachments: Array<{ id: string; name: string }> };
    assert.equal(after.answerType, 'partial');
    assert.deepEqual(after.answerAttachments.map((x) => x.name), ['答复书.pdf']);
    const dl = await download(got.trackingNo, docId, got.queryCode);
    assert.equal(dl.statusCode, 200);
    assert.equal(sm3(dl.rawPayload), sm3(SAMPLES.pdf()));
    assert.equal((await download(got.trackingNo, docId, 'WRONGCODE')).statusCode, 404);
    assert.equal((await ctx.app.inject({ url: `/api/v1/files/${docId}`, headers: bearer(f.other.responder) })).statusCode, 404);
    // The text message tells the writer the answer came with documents.
    const sms = await sql<{ template: string }>`select template from notify_outbox where template like 'interaction.case.answered%' order by created_at desc limit 1`.execute(ctx.platform.db);
    assert.equal(sms.rows[0]?.template, 'interaction.case.answeredWithDocuments');
  });
});

describe('the write form with files, without JavaScript', () => {
  const fields = (token: string, extra: Record<string, string> = {}) =>
    Object.entries({ _form: token, targetUnitId: f.dept.id, title: `表单附件${++phoneSeq}`, body: '见附件照片。', name: '赵六', phone: nextPhone(), isPublic: 'no', ...extra }).map(([name, content]) => ({ name, content }));

  test('a multipart form stores the letter and its files in one go; the writer downloads them from the letter page', async () => {
    const jar: Record<string, string> = {};
    const form = await ctx.app.inject({ method: 'GET', url: '/interaction/write?channel=unit_mailbox' });
    assert.ok(form.body.includes('enctype="multipart/form-data"'));
    assert.ok(form.body.includes('type="file"'));
    let cookie = cookieOf(form, jar);
    const token = formTokenOf(form.body);

    // A file of a type not allowed: the form again, with the reason, and nothing written.
    const before = await caseCount();
    const bad = multipartBody([...fields(token), { name: 'attachments', filename: 'setup.exe', content: SAMPLES.exe() }]);
    const refused = await ctx.app.inject({ method: 'POST', url: '/interaction/write?channel=unit_mailbox', headers: { cookie, ...bad.headers }, payload: bad.payload, remoteAddress: nextIp() });
    assert.equal(refused.statusCode, 400, refused.body.slice(0, 500));
    assert.ok(refused.body.includes('setup.exe'));
    assert.equal(await caseCount(), before);

    const pdf = SAMPLES.pdf();
    const good = multipartBody([...fields(token), { name: 'attachments', filename: '照片说明.pdf', content: pdf }, { name: 'attachments', filename: 'b.png', content: SAMPLES.png() }, { name: 'attachments', filename: '', content: '' }]);
    const sent = await ctx.app.inject({ method: 'POST', url: '/interaction/write?channel=unit_mailbox', headers: { cookie, ...good.headers }, payload: good.payload, remoteAddress: nextIp() });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 800));
    cookie = cookieOf(sent, jar);
    const trackingNo = /\/interaction\/letters\/([A-Z0-9]+)\/received/.exec(sent.headers.location as string)![1]!;
    const row = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').select('id').where('tracking_no', '=', trackingNo).executeTakeFirstOrThrow();
    const files = (await sql<{ id: string; name: string; sm3: string }>`select id, name, sm3 from files where owner_type = 'interaction.case' and owner_id = ${row.id} order by name`.execute(ctx.platform.db)).rows;
    assert.deepEqual(files.map((x) => x.name).sort(), ['b.png', '照片说明.pdf']);

    const page = await ctx.app.inject({ url: `/interaction/letters/${trackingNo}`, headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('照片说明.pdf'));
    const pdfId = files.find((x) => x.name === '照片说明.pdf')!.id;
    const dl = await ctx.app.inject({ url: `/interaction/letters/${trackingNo}/files/${pdfId}`, headers: { cookie } });
    assert.equal(dl.statusCode, 200);
    assert.equal(sm3(dl.rawPayload), sm3(pdf));
    // Without the remembered code: not found.
    assert.equal((await ctx.app.inject({ url: `/interaction/letters/${trackingNo}/files/${pdfId}` })).statusCode, 404);
  });
});

describe('the staff’s answer form with documents', () => {
  test('a multipart answer form carries the documents; the case page lists them; a redraft keeps them', async () => {
    const res = await send(letter({ channel: 'disclosure_request', isPublic: false, idNumber: '11010119900307803X', title: '申请公开道路维修合同' }));
    const got = res.json() as { id: string; trackingNo: string; queryCode: string };
    const session = await loginSession(ctx.app, f.dept.responder.username);
    const form = multipartBody([
      { name: '_csrf', content: session.csrfToken },
      { name: 'answerType', content: 'public' },
      { name: 'body', content: '予以公开，合同见附件。' },
      { name: 'answerFiles', filename: '维修合同.pdf', content: SAMPLES.pdf() },
    ]);
    const posted = await ctx.app.inject({ method: 'POST', url: `/console/interaction/cases/${got.id}/answer`, headers: { cookie: session.cookie, ...form.headers }, payload: form.payload });
    assert.equal(posted.statusCode, 303, posted.body.slice(0, 500));
    const page = await ctx.app.inject({ url: `/console/interaction/cases/${got.id}`, headers: { cookie: session.cookie } });
    assert.ok(page.body.includes('维修合同.pdf'));
    const row = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').select(['state', 'draft_answer_files']).where('id', '=', got.id).executeTakeFirstOrThrow();
    assert.equal(row.state, 'reviewing');
    assert.equal(row.draft_answer_files.length, 1);
    // Returned by the leader and answered again by form, the document kept by its tick.
    assert.equal((await staffPost(f.dept.leader, got.id, 'return-answer', { reason: '请补充说明' })).statusCode, 200);
    const again = multipartBody([
      { name: '_csrf', content: session.csrfToken },
      { name: 'answerType', content: 'public' },
      { name: 'body', content: '予以公开，合同及说明见附件。' },
      { name: 'keepFiles', content: row.draft_answer_files[0]! },
    ]);
    const reposted = await ctx.app.inject({ method: 'POST', url: `/console/interaction/cases/${got.id}/answer`, headers: { cookie: session.cookie, ...again.headers }, payload: again.payload });
    assert.equal(reposted.statusCode, 303);
    assert.equal((await staffPost(f.dept.leader, got.id, 'approve-answer')).statusCode, 200);
    const mine = (await ctx.app.inject({ url: `/api/v1/public/letters/${got.trackingNo}?code=${got.queryCode}`, remoteAddress: nextIp() })).json() as { answerAttachments: Array<{ name: string }> };
    assert.deepEqual(mine.answerAttachments.map((x) => x.name), ['维修合同.pdf']);
  });
});
