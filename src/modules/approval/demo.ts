/**
 * The demo city's service items (事项): the catalogue of demo-items.ts, published through the
 * catalogue's commands so that a visitor finds real-world items in every department and life
 * event. Acceptance is at the city's one-stop window (一窗受理, the administrative licensing
 * bureau, where the demo window clerk works); the departments review, side by side in joint
 * reviews; the implementing unit's leader decides. Each item's application form comes as a
 * blank form to download (an .xlsx made here), and for some a filled example too.
 */
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import { loadExcel } from '../../platform/lazy.ts';
import { storeGeneratedFile } from '../../platform/files/index.ts';
import { findUserByUsername } from '../../platform/iam/queries.ts';
import { createItem } from './commands/create-item.ts';
import { publishItem } from './commands/publish-item.ts';
import { ITEM_FILE_OWNER, q } from './queries/items.ts';
import type { ItemInput } from './model.ts';
import { DEMO_ITEMS, type DemoItem, type DemoReview } from './demo-items.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const CONSULT = '0571-12345';
const COMPLAINT = '12345';
const PLACE = '云川市民中心（云川市青溪区市民大道 1 号）一楼综合受理窗口';
const HOURS = '周一至周五 上午 8:30—12:00，下午 14:00—17:30（法定节假日除外）；网上办理全天受理';

/** What every application form asks, and what the filled example says. */
const FORM_ROWS: Array<[label: string, example: string]> = [
  ['申请人（单位名称或姓名）', '云川市青溪区示例商贸有限公司'],
  ['统一社会信用代码 / 公民身份号码', '91331202MA2H000001'],
  ['法定代表人 / 经办人', '张明'],
  ['联系电话', '13800000000'],
  ['住所 / 地址', '云川市青溪区白鹭街道滨江路 18 号'],
  ['申请事项及内容', ''],
  ['申请人声明', '本人（单位）对所提交材料的真实性负责。'],
  ['申请人签字（盖章）', '张明'],
  ['申请日期', '2026 年 12 月 1 日'],
];

/** An application form as a small workbook: the title, a row per question, blank or filled in. */
async function formWorkbook(title: string, itemName: string, example: boolean): Promise<Uint8Array> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = '云川市政务服务网';
  const sheet = workbook.addWorksheet(example ? '示例' : '申请表');
  sheet.columns = [{ width: 34 }, { width: 56 }];
  sheet.mergeCells('A1:B1');
  sheet.getCell('A1').value = example ? `${title}（示例样表）` : title;
  sheet.getCell('A1').font = { bold: true, size: 16 };
  sheet.getCell('A1').alignment = { horizontal: 'center' };
  for (const [label, value] of FORM_ROWS) {
    const row = sheet.addRow([label, example ? value || itemName : '']);
    row.height = 28;
    row.eachCell((cell) => {
      cell.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
      cell.alignment = { vertical: 'middle', wrapText: true };
    });
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function steps(city: DemoCity, d: DemoItem): ItemInput['process'] {
  const window = city.unit('city.approval').id;
  const step = ([unitKey, name, days]: DemoReview, key: string) => ({ key, name, unitId: city.unit(unitKey).id, role: 'approver' as const, days });
  const stages: ItemInput['process']['stages'] = [{ key: 'accept', name: '受理', unitId: window, role: 'window_clerk', days: 1 }];
  (d.reviews ?? []).forEach((review, i) => {
    if (Array.isArray(review[0])) stages.push({ parallel: (review as DemoReview[]).map((r, j) => step(r, `review${i + 1}_${j + 1}`)) });
    else stages.push(step(review as DemoReview, `review${i + 1}`));
  });
  stages.push({ key: 'decide', name: d.instant ? '当场办结' : '审批决定', unitId: city.unit(d.unit).id, role: 'unit_leader', days: d.decideDays ?? 1 });
  return { stages };
}

function inputOf(city: DemoCity, d: DemoItem, files: { blank: string; example?: string }): ItemInput {
  return {
    code: d.code,
    name: d.name,
    kind: d.kind,
    unitId: city.unit(d.unit).id,
    legalBasis: d.basis,
    conditions: d.conditions,
    materials: d.materials.map((name, i) => ({
      key: i === 0 ? 'application' : `material${i}`,
      name,
      required: i < 3,
      copies: 1,
      allowPending: i >= 3,
      ...(i === 0 ? { blankFileId: files.blank, ...(files.example ? { exampleFileId: files.example } : {}) } : {}),
    })),
    statutoryDays: d.statutory,
    promisedDays: d.promised,
    fee: d.fee ? { charged: true, amountFen: d.fee.amountFen, basis: d.fee.basis } : { charged: false },
    resultName: d.result,
    maxVisits: d.visits ?? 0,
    consultPhone: CONSULT,
    complaintPhone: COMPLAINT,
    process: steps(city, d),
    themes: d.themes,
    lifeEvents: d.events,
    targets: d.targets,
    place: PLACE,
    hours: HOURS,
    handlingType: d.instant ? 'instant' : 'promised',
    faq: (d.faq ?? []).map(([question, answer]) => ({ question, answer })),
  };
}

/** Publishes the demo items whose code has no published version yet; the others are left as they are. */
export async function loadApprovalDemo(work: Work, platform: Platform, city: DemoCity) {
  const published = new Set(
    (
      await q(work.tx)
        .selectFrom('approval_items')
        .select('code')
        .where('status', '=', 'published')
        .where('code', 'in', DEMO_ITEMS.map((d) => d.code))
        .execute()
    ).map((r) => r.code),
  );
  const missing = DEMO_ITEMS.filter((d) => !published.has(d.code));
  if (!missing.length) return;
  // The forms are recorded as the demo unit administrator's: a file is always someone's.
  const recorder = await findUserByUsername(work.tx, 'unit_admin');
  if (!recorder) throw new Error('the demo accounts come before the demo items');
  // Writing a workbook costs tens of milliseconds: the items share one blank form and one example
  // (stored once, recorded per item under the item's own material name).
  const blankContent = await formWorkbook('政务服务事项申请表', '', false);
  const exampleContent = await formWorkbook('政务服务事项申请表', '（所申请的事项名称）', true);
  for (const [n, d] of missing.entries()) {
    const owner = { ownerType: ITEM_FILE_OWNER, ownerId: d.code };
    const title = d.materials[0];
    const file = (name: string, content: Uint8Array) => storeGeneratedFile(work, platform, { name, mime: XLSX, content, owner, createdBy: recorder.id, at: platform.clock.now() });
    const blank = await file(`${title}.xlsx`, blankContent);
    // A filled example for every other item: enough to show both links.
    const example = n % 2 === 0 ? await file(`${title}（示例）.xlsx`, exampleContent) : null;
    const draft = await createItem(work, platform, null, inputOf(city, d, { blank: blank.id, ...(example ? { example: example.id } : {}) }));
    await publishItem(work, platform, null, draft.id);
  }
}
