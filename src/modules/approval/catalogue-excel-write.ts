/** Writing the catalogue as an Excel workbook, in the layout catalogue-excel.ts reads back. */
import type { Workbook, Worksheet } from 'exceljs';
import { loadExcel } from '../../platform/lazy.ts';
import type { Item } from './queries/items.ts';
import { HANDLING_LABELS, ITEM_COLUMNS, KIND_LABELS, TARGET_LABELS, LIST_SEPARATOR, MATERIAL_COLUMNS, MODE_LABELS, NO, PROCESS_COLUMNS, ROLE_LABELS, SHEET_NAMES, YES, yuan, type Column } from './catalogue-excel.ts';

const README: string[] = [
  '本文件是政务服务事项目录，可修改后再导入（导入时全部事项无误才会写入，有错误时逐项列出，不导入任何内容）。',
  '“事项”工作表每行一个事项；“申请材料”“办理流程”每行一项材料或一个办理步骤，以“事项编码”对应到事项。',
  '事项类型：行政许可、非行政许可审批、公共服务。是否收费、是否必需、容缺受理：填“是”或“否”。收费金额以元为单位，最多两位小数。',
  '实施主体、办理单位：填写单位名称，或在 ID 列填写单位ID（同名单位有多个时须填 ID；从其他系统导出的文件可清空 ID 列，按名称匹配）。',
  '承诺时限不能超过法定时限；时限均为工作日。',
  '办理流程：环节序号相同的步骤并行办理（会签），会签方式填“全部”（全部通过才进入下一环节）或“任一”（任一通过即可）。',
  '第一个环节须为受理：一个步骤，办理角色为窗口受理人员，或在镇、村单位由村级代办员受理，时限不超过 5 个工作日；之后的环节由审批人员或单位负责人办理，合计时限不超过承诺时限。',
  '办理角色：窗口受理人员、审批人员、单位负责人、村级代办员。主题分类、人生事件可填多个，以“、”分隔。',
  '申请表单（JSON）：可留空；格式为 [{"key":"area","label":"面积","type":"number","required":true}]，type 为 text、textarea、number、date、select。',
];

function addSheet(workbook: Workbook, name: string, columns: Column[]): Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.text ? { numFmt: '@' } : {} }));
  sheet.getRow(1).font = { bold: true };
  return sheet;
}

function listValidation(sheet: Worksheet, columnKey: string, values: string[], rows: number) {
  const column = sheet.getColumn(columnKey);
  for (let r = 2; r <= rows + 1; r += 1) {
    sheet.getCell(r, column.number).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${values.join(',')}"`] };
  }
}

/** The catalogue as an .xlsx workbook. `unitNames` gives the names written beside unit ids. */
export async function writeCatalogueWorkbook(items: Item[], unitNames: Map<string, string>): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Zhengtong';
  const itemSheet = addSheet(workbook, SHEET_NAMES.items, ITEM_COLUMNS);
  const materialSheet = addSheet(workbook, SHEET_NAMES.materials, MATERIAL_COLUMNS);
  const processSheet = addSheet(workbook, SHEET_NAMES.process, PROCESS_COLUMNS);
  for (const item of items) {
    itemSheet.addRow({
      code: item.code,
      name: item.name,
      kind: KIND_LABELS[item.kind],
      unit: unitNames.get(item.unitId) ?? '',
      unitId: item.unitId,
      legalBasis: item.legalBasis,
      conditions: item.conditions,
      statutoryDays: item.statutoryDays,
      promisedDays: item.promisedDays,
      feeCharged: item.fee.charged ? YES : NO,
      feeAmount: item.fee.amountFen !== undefined ? yuan(item.fee.amountFen) : null,
      feeBasis: item.fee.basis ?? '',
      resultName: item.resultName,
      maxVisits: item.maxVisits,
      consultPhone: item.consultPhone,
      complaintPhone: item.complaintPhone,
      themes: item.themes.join(LIST_SEPARATOR),
      lifeEvents: item.lifeEvents.join(LIST_SEPARATOR),
      targets: item.targets.map((t) => TARGET_LABELS[t]).join(LIST_SEPARATOR),
      handlingType: HANDLING_LABELS[item.handlingType],
      place: item.place,
      hours: item.hours,
      faq: item.faq.length ? JSON.stringify(item.faq) : '',
      formFields: item.formFields.length ? JSON.stringify(item.formFields) : '',
    });
    for (const m of item.materials) {
      materialSheet.addRow({ code: item.code, key: m.key, name: m.name, required: m.required ? YES : NO, copies: m.copies, allowPending: m.allowPending ? YES : NO, description: m.description ?? '', blankFileId: m.blankFileId ?? '', exampleFileId: m.exampleFileId ?? '' });
    }
    item.process.stages.forEach((stage, i) => {
      const parallel = 'parallel' in stage;
      for (const step of parallel ? stage.parallel : [stage]) {
        processSheet.addRow({
          code: item.code,
          stage: i + 1,
          mode: parallel ? MODE_LABELS[stage.mode ?? 'all'] : '',
          key: step.key,
          name: step.name,
          unit: unitNames.get(step.unitId) ?? '',
          unitId: step.unitId,
          role: ROLE_LABELS[step.role] ?? step.role,
          days: step.days,
        });
      }
    });
  }
  itemSheet.getColumn('feeAmount').numFmt = '0.00';
  const spare = 200;
  listValidation(itemSheet, 'kind', Object.values(KIND_LABELS), items.length + spare);
  listValidation(itemSheet, 'feeCharged', [YES, NO], items.length + spare);
  listValidation(materialSheet, 'required', [YES, NO], materialSheet.rowCount + spare);
  listValidation(materialSheet, 'allowPending', [YES, NO], materialSheet.rowCount + spare);
  listValidation(processSheet, 'role', Object.values(ROLE_LABELS), processSheet.rowCount + spare);
  listValidation(processSheet, 'mode', Object.values(MODE_LABELS), processSheet.rowCount + spare);
  const readme = workbook.addWorksheet(SHEET_NAMES.readme);
  readme.getColumn(1).width = 120;
  for (const line of README) readme.addRow([line]).alignment = { wrapText: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
