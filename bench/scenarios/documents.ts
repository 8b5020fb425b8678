import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine, percentile } from '../support.ts';
import { buildApp, allMigrations } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openDatabase } from '../../src/platform/db/index.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createRegion, createUnit } from '../../src/platform/org/service.ts';
import { idCheckChar } from '../../src/platform/org/codes.ts';
import { createStaffUser, grantRolesBySystem, createApiToken, createPublicAccount } from '../../src/platform/iam/index.ts';
import type { ApprovalTables } from '../../src/modules/approval/model.ts';
import { certificateLayout } from '../../src/modules/approval/documents/service.ts';
import { chineseDate, renderOfficialDocument } from '../../src/modules/approval/documents/pdf.ts';
import { getItem } from '../../src/modules/approval/queries/items.ts';
import type { CaseRow } from '../../src/modules/approval/queries/cases.ts';
import { publishTestItem } from '../../src/modules/approval/testing.ts';

const PASSWORD = 'Bench#Passw0rd';
const KB = 1024;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
};

// A minimal PDF as the application's one material.
const MATERIAL = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * Certificates as PDF on the embedded database: `cases` approved cases made through the API, then
 * each certificate's first download (laid out, signed content printed, stored through files) and
 * a second one (the stored bytes). The first of all also reads and parses the font.
 */
export async function documentsScenario(args: string[]) {
  const cases = Number(args[args.indexOf('--cases') + 1]) || 40;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-documents-'));
  const config = loadConfig({ ZT_DATA_DIR: dataDir, ZT_DEMO: '0', LOG_LEVEL: 'silent', ZT_RUN_JOBS: '0' });
  const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
  await migrateToLatest(database.db, allMigrations());
  const app = await buildApp({ config, database, logger: false });
  const platform = app.platform;
  try {
    const { units, tokens } = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      await createRegion(work, { code: '530000', name: '基准省', level: 'province' });
      await createRegion(work, { code: '530100', name: '云川市', level: 'city', parentCode: '530000' });
      const window = await createUnit(work, { name: '云川市政务服务中心', regionCode: '530100', kind: 'department' });
      const review = await createUnit(work, { name: '云川市市场监督管理局', regionCode: '530100', kind: 'department' });
      const clerk = await createStaffUser(work, platform, null, { username: 'benchclerk', displayName: '窗口', password: PASSWORD, unitId: window.id }, { mustChangePassword: false });
      const leader = await createStaffUser(work, platform, null, { username: 'benchleader', displayName: '负责人', password: PASSWORD, unitId: review.id }, { mustChangePassword: false });
      await grantRolesBySystem(work, clerk.id, [{ role: 'window_clerk', scope: { unitId: window.id } }]);
      await grantRolesBySystem(work, leader.id, [{ role: 'unit_leader', scope: { unitId: review.id } }]);
      const citizen = await createPublicAccount(work, platform, { kind: 'person', phone: '13800000000', password: PASSWORD, name: '张三' });
      return {
        units: { window: window.id, review: review.id },
        tokens: {
          clerk: (await createApiToken(work, platform, clerk.id, 'bench', 1)).token,
          leader: (await createApiToken(work, platform, leader.id, 'bench', 1)).token,
          citizen: (await createApiToken(work, platform, citizen.id, 'bench', 1)).token,
        },
      };
    });
    const itemId = (
      await publishTestItem(platform, {
        unitId: units.review,
        process: {
          stages: [
            { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
            { key: 'decide', name: '审查决定', unitId: units.review, role: 'unit_leader', days: 5 },
          ],
        },
      })
    ).id;

    const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res;
    };
    const complete = async (token: string, caseId: string, action: string) => {
      const tasks = (await call(token, 'GET', '/api/v1/tasks?mine=true&limit=200')).json().items as Array<{ id: string; caseId: string }>;
      const task = tasks.find((t) => t.caseId === caseId)!;
      await call(token, 'POST', `/api/v1/tasks/${task.id}/complete`, { action });
    };
    const ids: string[] = [];
    for (let i = 0; i < cases; i++) {
      const boundary = `----zt${crypto.randomBytes(8).toString('hex')}`;
      const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), MATERIAL, Buffer.from(`${i}\n\r\n--${boundary}--\r\n`)]);
      const upload = await app.inject({ method: 'POST', url: '/api/v1/files', payload: body, headers: { authorization: `Bearer ${tokens.citizen}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
      const first17 = `53010219800101${String(i).padStart(3, '0')}`;
      const created = await call(tokens.citizen, 'POST', '/api/v1/approval/applications', {
        itemId,
        channel: 'online',
        applicant: { kind: 'person', name: `申请人${i}`, idNumber: first17 + idCheckChar(first17), phone: `139${String(i).padStart(8, '0')}` },
        form: {},
        materials: [{ materialKey: 'application_form', fileId: upload.json().id }],
      });
      const id = created.json().id as string;
      await complete(tokens.clerk, id, 'accept');
      await complete(tokens.leader, id, 'approve');
      ids.push(id);
    }

    console.log(`${cases} approved cases on the embedded database; resident memory ${rssMb().toFixed(0)} MB`);
    const download = async (id: string) => {
      const started = performance.now();
      const res = await call(tokens.citizen, 'GET', `/api/v1/approval/applications/${id}/certificate.pdf`);
      return { ms: performance.now() - started, bytes: res.rawPayload };
    };
    const cold = await download(ids[0]);
    console.log(`first certificate of the process (reads and parses the font, 2 × 14.8 MB): ${cold.ms.toFixed(1)} ms, ${(cold.bytes.length / KB).toFixed(1)} KB; resident memory ${rssMb().toFixed(0)} MB`);
    const first: number[] = [];
    const sizes: number[] = [];
    for (const id of ids.slice(1)) {
      const { ms, bytes } = await download(id);
      first.push(ms);
      sizes.push(bytes.length);
    }
    const again: number[] = [];
    for (const id of ids) {
      const before = (await download(id)).bytes;
      const { ms, bytes } = await download(id);
      if (Buffer.compare(before, bytes) !== 0) throw new Error('a stored certificate changed');
      again.push(ms);
    }
    sizes.sort((a, b) => a - b);
    console.log(`certificate generated, signed content printed, stored (first download, ${first.length}): ${stats(first)}`);
    console.log(`certificate size: ${(sizes[0] / KB).toFixed(1)}–${(sizes.at(-1)! / KB).toFixed(1)} KB`);
    console.log(`stored certificate served again (${again.length}): ${stats(again)}`);
    // The layout alone (what the budget counts): the same certificates laid out again, not stored.
    const layout: number[] = [];
    const item = (await getItem(platform.db, itemId))!;
    for (const id of ids) {
      const app = (await platform.db.withTables<ApprovalTables>().selectFrom('approval_applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as unknown as CaseRow;
      const cert = await platform.db.withTables<ApprovalTables>().selectFrom('approval_certificates').selectAll().where('application_id', '=', id).executeTakeFirstOrThrow();
      const started = performance.now();
      await renderOfficialDocument({
        issuer: String(cert.content.unitName),
        documentNo: `证字〔2026〕${cert.certificate_no.slice(4)}号`,
        title: item.resultName,
        date: chineseDate(String(cert.content.issuedDate)),
        seal: null,
        meta: { subject: item.name, createdAt: new Date(cert.issued_at) },
        ...certificateLayout(platform, app, item, cert),
      });
      layout.push(performance.now() - started);
    }
    console.log(`certificate laid out alone (${layout.length}): ${stats(layout)}`);
    const notices: number[] = [];
    const noticeSizes: number[] = [];
    for (const id of ids) {
      const started = performance.now();
      const res = await call(tokens.citizen, 'GET', `/api/v1/approval/applications/${id}/notices/acceptance.pdf`);
      notices.push(performance.now() - started);
      noticeSizes.push(res.rawPayload.length);
    }
    noticeSizes.sort((a, b) => a - b);
    console.log(`acceptance notice generated and stored (first download, ${notices.length}): ${stats(notices)}; ${(noticeSizes[0] / KB).toFixed(1)}–${(noticeSizes.at(-1)! / KB).toFixed(1)} KB`);
    console.log(`resident memory after: ${rssMb().toFixed(0)} MB`);
    console.log('budget: certificate PDF generated in < 300 ms and < 300 KB');
    console.log(`machine: ${machine()}`);
  } finally {
    await app.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
