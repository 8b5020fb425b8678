/**
 * The catalogue as an Excel workbook an office can edit: one sheet of items (one row per item,
 * the standard elements in plain cells), one of materials and one of process steps (one row
 * each, linked to their item by code), and a sheet explaining the columns. Only the optional
 * application form stays JSON text: offices rarely write it by hand. Errors point at cells
 * ("事项!I3") so the office can go straight to them.
 */
import type { CellValue, Workbook, Worksheet } from 'exceljs';
import { fieldError, type FieldError } from '../../platform/http/errors.ts';
import { loadExcel } from '../../platform/lazy.ts';
import type { ImportEntry } from './commands/import-catalogue.ts';
import type { ItemInput } from './model.ts';


export const SHEET_NAMES = { items: '事项', materials: '申请材料', process: '办理流程', readme: '填写说明' } as const;
type SheetKey = 'items' | 'materials' | 'process';

export interface Column {
  key: string;
  header: string;
  width: number;
  required?: boolean;
  /** Paths inside an item whose errors belong in this column. */
  fields?: string[];
  text?: boolean;
}

export const ITEM_COLUMNS: Column[] = [
  { key: 'code', header: '事项编码', width: 22, required: true, fields: ['code'], text: true },
  { key: 'name', header: '事项名称', width: 30, required: true, fields: ['name'] },
  { key: 'kind', header: '事项类型', width: 14, required: true, fields: ['kind'] },
  { key: 'unit', header: '实施主体', width: 24 },
  { key: 'unitId', header: '实施主体ID', width: 38, text: true },
  { key: 'legalBasis', header: '设定依据', width: 40, required: true, fields: ['legalBasis'] },
  { key: 'conditions', header: '受理条件', width: 40, required: true, fields: ['conditions'] },
  { key: 'statutoryDays', header: '法定时限（工作日）', width: 12, required: true, fields: ['statutoryDays'] },
  { key: 'promisedDays', header: '承诺时限（工作日）', width: 12, required: true, fields: ['promisedDays'] },
  { key: 'feeCharged', header: '是否收费', width: 10, required: true, fields: ['fee.charged', 'fee'] },
  { key: 'feeAmount', header: '收费金额（元）', width: 14, fields: ['fee.amountFen'] },
  { key: 'feeBasis', header: '收费依据', width: 30, fields: ['fee.basis'] },
  { key: 'resultName', header: '审批结果名称', width: 24, required: true, fields: ['resultName'] },
  { key: 'maxVisits', header: '最多跑动次数', width: 12, required: true, fields: ['maxVisits'] },
  { key: 'consultPhone', header: '咨询电话', width: 16, required: true, fields: ['consultPhone'], text: true },
  { key: 'complaintPhone', header: '监督投诉电话', width: 16, required: true, fields: ['complaintPhone'], text: true },
  { key: 'themes', header: '主题分类', width: 20, fields: ['themes'] },
  { key: 'lifeEvents', header: '人生事件', width: 20, fields: ['lifeEvents'] },
  { key: 'targets', header: '申请对象', width: 16, fields: ['targets'] },
  { key: 'handlingType', header: '办件类型', width: 10, fields: ['handlingType'] },
  { key: 'place', header: '办理地点', width: 30, fields: ['place'] },
  { key: 'hours', header: '办理时间', width: 30, fields: ['hours'] },
  { key: 'faq', header: '常见问题（JSON）', width: 30, fields: ['faq'] },
  { key: 'formFields', header: '申请表单（JSON）', width: 30, fields: ['formFields'] },
];
export const MATERIAL_COLUMNS: Column[] = [
  { key: 'code', header: '事项编码', width: 22, required: true, text: true },
  { key: 'key', header: '材料编号', width: 16, required: true, fields: ['key'], text: true },
  { key: 'name', header: '材料名称', width: 36, required: true, fields: ['name'] },
  { key: 'required', header: '是否必需', width: 10, required: true, fields: ['required'] },
  { key: 'copies', header: '份数', width: 8, required: true, fields: ['copies'] },
  { key: 'allowPending', header: '容缺受理', width: 10, required: true, fields: ['allowPending'] },
  { key: 'description', header: '说明', width: 40, fields: ['description'] },
  { key: 'blankFileId', header: '空白表格文件ID', width: 38, fields: ['blankFileId'], text: true },
  { key: 'exampleFileId', header: '示例样表文件ID', width: 38, fields: ['exampleFileId'], text: true },
];
export const PROCESS_COLUMNS: Column[] = [
  { key: 'code', header: '事项编码', width: 22, required: true, text: true },
  { key: 'stage', header: '环节序号', width: 10, required: true },
  { key: 'mode', header: '会签方式', width: 10, fields: ['mode', 'parallel'] },
  { key: 'key', header: '步骤编号', width: 16, required: true, fields: ['key'], text: true },
  { key: 'name', header: '步骤名称', width: 20, required: true, fields: ['name'] },
  { key: 'unit', header: '办理单位', width: 24 },
  { key: 'unitId', header: '办理单位ID', width: 38, text: true },
  { key: 'role', header: '办理角色', width: 14, required: true, fields: ['role'] },
  { key: 'days', header: '时限（工作日）', width: 12, required: true, fields: ['days'] },
];
const COLUMNS: Record<SheetKey, Column[]> = { items: ITEM_COLUMNS, materials: MATERIAL_COLUMNS, process: PROCESS_COLUMNS };

export const KIND_LABELS: Record<ItemInput['kind'], string> = { licensing: '行政许可', non_licensing: '非行政许可审批', public_service: '公共服务' };
export const ROLE_LABELS: Record<string, string> = { window_clerk: '窗口受理人员', approver: '审批人员', unit_leader: '单位负责人', village_officer: '村级代办员' };
export const MODE_LABELS = { all: '全部', any: '任一' } as const;
export const TARGET_LABELS: Record<'person' | 'enterprise', string> = { person: '自然人', enterprise: '法人' };
export const HANDLING_LABELS: Record<'instant' | 'promised', string> = { instant: '即办件', promised: '承诺件' };
export const YES = '是';
export const NO = '否';
export const LIST_SEPARATOR = '、';
const CELL_MAX = 10_000;

const looseName = (text: string) => text.toLowerCase().replace(/[\s_\-（）()]/g, '');
const reverse = (labels: Record<string, string>) => {
  const map = new Map<string, string>();
  for (const [value, label] of Object.entries(labels)) {
    map.set(looseName(label), value);
    map.set(looseName(value), value);
  }
  return map;
};
const KINDS = reverse(KIND_LABELS);
const TARGETS = reverse({ ...TARGET_LABELS, enterprise: '法人和其他组织' });
TARGETS.set(looseName('法人'), 'enterprise');
const HANDLING = reverse(HANDLING_LABELS);
const ROLES = reverse(ROLE_LABELS);
const MODES = reverse(MODE_LABELS);

export const yuan = (fen: number) => Number((fen / 100).toFixed(2));

// ---------------------------------------------------------------- reading

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('').trim();
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: CellValue }).result ?? null);
    if ('text' in value) return cellText((value as { text: CellValue }).text);
  }
  return '';
}

function cellRaw(value: CellValue): CellValue {
  if (value && typeof value === 'object' && !(value instanceof Date) && ('formula' in value || 'sharedFormula' in value)) return (value as { result?: CellValue }).result ?? null;
  return value;
}

/** Resolves a unit named in a cell; `purpose` 'item' limits the search to units the caller manages. */
export type UnitNameResolver = (name: string, purpose: 'item' | 'step') => Promise<{ id: string } | { error: 'unitUnknown' | 'unitAmbiguous' }>;

interface SheetRow {
  row: number;
  text(key: string): string;
  raw(key: string): CellValue;
  /** The cell reference of a column ('事项!D7'), or of the whole row when the file lacks the column. */
  ref(key: string): string;
}

class Reader {
  readonly errors: FieldError[] = [];
  add(path: string, key: string, params?: Record<string, unknown>) {
    this.errors.push(fieldError(path, `approval.catalogue.import.${key}`, params));
  }
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function findSheet(workbook: Workbook, key: SheetKey): Worksheet | undefined {
  return workbook.worksheets.find((ws) => looseName(ws.name) === looseName(SHEET_NAMES[key]) || looseName(ws.name) === key);
}

function readSheet(sheet: Worksheet, key: SheetKey, reader: Reader): SheetRow[] | null {
  const columns = COLUMNS[key];
  const byName = new Map<string, Column>();
  for (const c of columns) {
    byName.set(looseName(c.header), c);
    byName.set(looseName(c.key), c);
  }
  const positions = new Map<string, number>();
  const header = sheet.getRow(1);
  let ok = true;
  header.eachCell((cell, n) => {
    const text = cellText(cell.value);
    if (!text) return;
    const column = byName.get(looseName(text));
    if (!column) {
      reader.add(`${sheet.name}!${columnLetter(n)}1`, 'columnUnknown', { column: text });
      ok = false;
    } else if (positions.has(column.key)) {
      reader.add(`${sheet.name}!${columnLetter(n)}1`, 'columnDuplicate', { column: text });
      ok = false;
    } else positions.set(column.key, n);
  });
  for (const c of columns) {
    if (c.required && !positions.has(c.key)) {
      reader.add(`${sheet.name}!1:1`, 'columnMissing', { column: c.header });
      ok = false;
    }
  }
  if (!ok) return null;
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    if (number === 1) return;
    const raw = (k: string) => {
      const n = positions.get(k);
      return n ? cellRaw(row.getCell(n).value) : null;
    };
    const texts = new Map<string, string>();
    for (const k of positions.keys()) {
      const text = cellText(raw(k));
      if (text.length > CELL_MAX) {
        reader.add(`${sheet.name}!${columnLetter(positions.get(k)!)}${number}`, 'cellTooLong');
        texts.set(k, '');
      } else texts.set(k, text);
    }
    if ([...texts.values()].every((t) => !t)) return;
    rows.push({
      row: number,
      text: (k) => texts.get(k) ?? '',
      raw,
      ref: (k) => (positions.has(k) ? `${sheet.name}!${columnLetter(positions.get(k)!)}${number}` : `${sheet.name}!${number}:${number}`),
    });
  });
  return rows;
}

/** Required text: empty is reported at the cell and read as undefined. */
function required(reader: Reader, r: SheetRow, key: string): string | undefined {
  const text = r.text(key);
  if (!text) {
    reader.add(r.ref(key), 'required');
    return undefined;
  }
  return text;
}

function integer(reader: Reader, r: SheetRow, key: string, isRequired = true): number | undefined {
  const raw = r.raw(key);
  const text = r.text(key);
  if (!text) {
    if (isRequired) reader.add(r.ref(key), 'required');
    return undefined;
  }
  const value = typeof raw === 'number' ? raw : /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value)) {
    reader.add(r.ref(key), 'integer');
    return undefined;
  }
  return value;
}

function yesNo(reader: Reader, r: SheetRow, key: string): boolean | undefined {
  const text = looseName(r.text(key));
  if (!text) {
    reader.add(r.ref(key), 'required');
    return undefined;
  }
  if (['是', 'y', 'yes', 'true', '1'].includes(text)) return true;
  if (['否', 'n', 'no', 'false', '0'].includes(text)) return false;
  reader.add(r.ref(key), 'yesNo');
  return undefined;
}

function labelled(reader: Reader, r: SheetRow, key: string, map: Map<string, string>, message: string): string | undefined {
  const text = required(reader, r, key);
  if (text === undefined) return undefined;
  const value = map.get(looseName(text));
  if (!value) reader.add(r.ref(key), message);
  return value;
}

function amountFen(reader: Reader, r: SheetRow, key: string): number | undefined {
  const raw = r.raw(key);
  const text = r.text(key);
  if (!text) return undefined;
  if (typeof raw === 'number') {
    const fen = Math.round(raw * 100);
    if (raw >= 0 && Math.abs(raw * 100 - fen) < 1e-6) return fen;
  } else if (/^\d+(\.\d{1,2})?$/.test(text)) {
    const [whole, fraction = ''] = text.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  }
  reader.add(r.ref(key), 'amountInvalid');
  return undefined;
}

const splitList = (text: string) => text.split(/[、,，;；\n]+/).map((s) => s.trim()).filter(Boolean);

interface Placement {
  row: SheetRow;
  materials: SheetRow[];
  /** Step rows by their path in the process ('stages.2' or 'stages.1.parallel.0'). */
  steps: Map<string, SheetRow>;
  /** The first step row of each stage. */
  stageRows: SheetRow[];
  unitColumn: string;
  stepUnitColumns: Map<SheetRow, string>;
}

function longestColumn(columns: Column[], path: string): Column | undefined {
  let best: Column | undefined;
  let bestLength = -1;
  for (const c of columns) {
    for (const f of c.fields ?? []) {
      if ((path === f || path.startsWith(`${f}.`)) && f.length > bestLength) {
        best = c;
        bestLength = f.length;
      }
    }
  }
  return best;
}

/** Where an item-relative path lies in the workbook. */
function cellOf(place: Placement, path: string): string {
  const material = /^materials\.(\d+)(?:\.(.+))?$/.exec(path);
  if (material) {
    const row = place.materials[Number(material[1])];
    if (!row) return place.row.ref('code');
    const column = material[2] ? longestColumn(MATERIAL_COLUMNS, material[2]) : undefined;
    return row.ref(column?.key ?? 'key');
  }
  const step = /^process\.(stages\.\d+(?:\.parallel\.\d+)?)(?:\.(.+))?$/.exec(path);
  if (step) {
    const row = place.steps.get(step[1]);
    const field = step[2];
    if (row) {
      if (field === 'unitId') return row.ref(place.stepUnitColumns.get(row) ?? 'unitId');
      const column = field ? longestColumn(PROCESS_COLUMNS, field) : undefined;
      return row.ref(column?.key ?? 'key');
    }
    const stage = /^stages\.(\d+)/.exec(step[1]);
    const first = stage ? place.stageRows[Number(stage[1])] : undefined;
    if (first) return first.ref(field === 'parallel' || field === 'mode' ? 'mode' : 'stage');
  }
  if (path.startsWith('process')) return place.stageRows[0]?.ref('stage') ?? place.row.ref('code');
  if (path === 'unitId') return place.row.ref(place.unitColumn);
  if (path === 'materials') return place.row.ref('code');
  const column = longestColumn(ITEM_COLUMNS, path);
  return column ? place.row.ref(column.key) : `${place.row.ref('code').split('!')[0]}!${place.row.row}:${place.row.row}`;
}

async function resolveUnit(reader: Reader, r: SheetRow, resolve: UnitNameResolver, purpose: 'item' | 'step'): Promise<{ id?: string; column: string }> {
  const id = r.text('unitId');
  if (id) return { id, column: 'unitId' };
  const name = r.text('unit');
  if (!name) {
    reader.add(r.ref('unit'), 'required');
    return { column: 'unit' };
  }
  const found = await resolve(name, purpose);
  if ('error' in found) {
    reader.add(r.ref('unit'), found.error, { name });
    return { column: 'unit' };
  }
  return { id: found.id, column: 'unit' };
}

/**
 * Reads a workbook written by writeCatalogueWorkbook (or by an office following its columns) into
 * import entries. Problems of the file itself (sheets, columns, cells that cannot be read) come
 * back as `errors`; the entries are then checked like any import.
 */
export async function readCatalogueWorkbook(data: Buffer, resolve: UnitNameResolver): Promise<{ entries: ImportEntry[]; errors: FieldError[] }> {
  const reader = new Reader();
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  try {
    await workbook.xlsx.load(data as never);
  } catch {
    reader.add('file', 'unreadable');
    return { entries: [], errors: reader.errors };
  }
  const sheets: Partial<Record<SheetKey, SheetRow[] | null>> = {};
  for (const key of ['items', 'materials', 'process'] as const) {
    const sheet = findSheet(workbook, key);
    if (!sheet) reader.add('file', 'sheetMissing', { sheet: SHEET_NAMES[key] });
    else sheets[key] = readSheet(sheet, key, reader);
  }
  if (!sheets.items || !sheets.materials || !sheets.process) return { entries: [], errors: reader.errors };

  const byCode = new Map<string, { value: Record<string, unknown>; place: Placement }>();
  const order: Array<{ value: Record<string, unknown>; place: Placement }> = [];
  for (const r of sheets.items) {
    const code = required(reader, r, 'code');
    const unit = await resolveUnit(reader, r, resolve, 'item');
    const fee: Record<string, unknown> = { charged: yesNo(reader, r, 'feeCharged') };
    const amount = amountFen(reader, r, 'feeAmount');
    if (amount !== undefined) fee.amountFen = amount;
    if (r.text('feeBasis')) fee.basis = r.text('feeBasis');
    let formFields: unknown = [];
    if (r.text('formFields')) {
      try {
        formFields = JSON.parse(r.text('formFields'));
      } catch {
        reader.add(r.ref('formFields'), 'jsonInvalid');
      }
    }
    let faq: unknown = [];
    if (r.text('faq')) {
      try {
        faq = JSON.parse(r.text('faq'));
      } catch {
        reader.add(r.ref('faq'), 'jsonInvalid');
      }
    }
    const targets = splitList(r.text('targets')).map((label) => {
      const target = TARGETS.get(looseName(label));
      if (!target) reader.add(r.ref('targets'), 'targetInvalid');
      return target;
    });
    let handlingType: string | undefined;
    if (r.text('handlingType')) {
      handlingType = HANDLING.get(looseName(r.text('handlingType')));
      if (!handlingType) reader.add(r.ref('handlingType'), 'handlingTypeInvalid');
    }
    const value: Record<string, unknown> = {
      code,
      name: required(reader, r, 'name'),
      kind: labelled(reader, r, 'kind', KINDS, 'kindInvalid'),
      unitId: unit.id,
      legalBasis: required(reader, r, 'legalBasis'),
      conditions: required(reader, r, 'conditions'),
      materials: [],
      statutoryDays: integer(reader, r, 'statutoryDays'),
      promisedDays: integer(reader, r, 'promisedDays'),
      fee,
      resultName: required(reader, r, 'resultName'),
      maxVisits: integer(reader, r, 'maxVisits'),
      consultPhone: required(reader, r, 'consultPhone'),
      complaintPhone: required(reader, r, 'complaintPhone'),
      process: { stages: [] },
      formFields,
      themes: splitList(r.text('themes')),
      lifeEvents: splitList(r.text('lifeEvents')),
      targets: targets.length ? targets : undefined,
      handlingType,
      place: r.text('place') || undefined,
      hours: r.text('hours') || undefined,
      faq,
    };
    for (const k of Object.keys(value)) if (value[k] === undefined) delete value[k];
    const place: Placement = { row: r, materials: [], steps: new Map(), stageRows: [], unitColumn: unit.column, stepUnitColumns: new Map() };
    const entry = { value, place };
    order.push(entry);
    // A repeated code is reported by the import (with both places); materials go to the first.
    if (code && !byCode.has(code)) byCode.set(code, entry);
  }

  for (const r of sheets.materials) {
    const code = required(reader, r, 'code');
    const owner = code ? byCode.get(code) : undefined;
    if (code && !owner) reader.add(r.ref('code'), 'itemMissing', { code });
    const material: Record<string, unknown> = {
      key: required(reader, r, 'key'),
      name: required(reader, r, 'name'),
      required: yesNo(reader, r, 'required'),
      copies: integer(reader, r, 'copies'),
      allowPending: yesNo(reader, r, 'allowPending'),
    };
    if (r.text('description')) material.description = r.text('description');
    if (r.text('blankFileId')) material.blankFileId = r.text('blankFileId');
    if (r.text('exampleFileId')) material.exampleFileId = r.text('exampleFileId');
    for (const k of Object.keys(material)) if (material[k] === undefined) delete material[k];
    if (owner) {
      (owner.value.materials as unknown[]).push(material);
      owner.place.materials.push(r);
    }
  }

  const stepsByCode = new Map<string, Array<{ stage: number; row: SheetRow; step: Record<string, unknown>; mode: string | undefined }>>();
  for (const r of sheets.process) {
    const code = required(reader, r, 'code');
    const owner = code ? byCode.get(code) : undefined;
    if (code && !owner) reader.add(r.ref('code'), 'itemMissing', { code });
    const stage = integer(reader, r, 'stage');
    if (stage !== undefined && stage < 1) reader.add(r.ref('stage'), 'integer');
    let mode: string | undefined;
    if (r.text('mode')) {
      mode = MODES.get(looseName(r.text('mode')));
      if (!mode) reader.add(r.ref('mode'), 'modeInvalid');
    }
    const unit = await resolveUnit(reader, r, resolve, 'step');
    const step: Record<string, unknown> = {
      key: required(reader, r, 'key'),
      name: required(reader, r, 'name'),
      unitId: unit.id,
      role: labelled(reader, r, 'role', ROLES, 'roleInvalid'),
      days: integer(reader, r, 'days'),
    };
    for (const k of Object.keys(step)) if (step[k] === undefined) delete step[k];
    if (owner && stage !== undefined && stage >= 1) {
      owner.place.stepUnitColumns.set(r, unit.column);
      stepsByCode.set(code!, [...(stepsByCode.get(code!) ?? []), { stage, row: r, step, mode }]);
    }
  }
  for (const [code, steps] of stepsByCode) {
    const owner = byCode.get(code)!;
    const numbers = [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b);
    const stages: unknown[] = [];
    numbers.forEach((n, i) => {
      const group = steps.filter((s) => s.stage === n);
      owner.place.stageRows.push(group[0].row);
      const modes = [...new Set(group.map((s) => s.mode).filter(Boolean))];
      if (group.length === 1) {
        if (modes.length) reader.add(group[0].row.ref('mode'), 'modeSingle');
        stages.push(group[0].step);
        owner.place.steps.set(`stages.${i}`, group[0].row);
      } else {
        if (modes.length > 1) reader.add(group[0].row.ref('mode'), 'modeConflict');
        stages.push({ parallel: group.map((s) => s.step), ...(modes[0] === 'any' ? { mode: 'any' } : {}) });
        group.forEach((s, j) => owner.place.steps.set(`stages.${i}.parallel.${j}`, s.row));
      }
    });
    owner.value.process = { stages };
  }

  const entries: ImportEntry[] = order.map(({ value, place }) => ({
    value,
    label: `${place.row.ref('code').split('!')[0]}!${place.row.row}:${place.row.row}`,
    pathOf: (path: string) => (path ? cellOf(place, path) : `${place.row.ref('code').split('!')[0]}!${place.row.row}:${place.row.row}`),
  }));
  return { entries, errors: reader.errors };
}
