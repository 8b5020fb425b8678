/**
 * The catalogue editor's form, without JavaScript: every row of materials, form fields and
 * process steps is a set of inputs with an index in its name, and submit buttons named `op`
 * add or remove rows (`add-stage`, `add-step:1`, `remove-material:2`...) by posting the whole
 * form back. These functions read the posted form, apply the operation and turn the values
 * into an item input, with field paths that lead back to the inputs. Pure: tested without HTTP.
 */
import { Ajv } from 'ajv';
import { Type, type Static } from '@sinclair/typebox';
import { fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { validationFieldErrors } from '../../../platform/http/validation.ts';
import { Strict } from '../../../platform/http/schemas.ts';
import { ItemInputSchema, StepSchema, type ItemInput } from '../model.ts';
import type { Item } from '../queries/items.ts';

type StepInput = Static<typeof StepSchema>;

export const STEP_ROLES = ['window_clerk', 'approver', 'unit_leader', 'village_officer'] as const;
export const ITEM_KINDS = ['licensing', 'non_licensing', 'public_service'] as const;
export const FIELD_TYPES = ['text', 'textarea', 'number', 'date', 'select'] as const;
/** Rows the editor offers at most (the schema's limits). */
export const LIMITS = { materials: 100, formFields: 100, stages: 30, parallel: 20 } as const;

export interface MaterialRow {
  key: string;
  name: string;
  required: boolean;
  copies: string;
  allowPending: boolean;
  description: string;
  /** Files of 空白表格 and 示例样表, kept through the form as they are (hidden inputs). */
  blankFileId: string;
  exampleFileId: string;
}
export interface FieldRow {
  key: string;
  label: string;
  type: string;
  required: boolean;
  options: string;
}
export interface StepRow {
  key: string;
  name: string;
  unitId: string;
  role: string;
  days: string;
}
export interface StageRow {
  mode: 'all' | 'any';
  steps: StepRow[];
}
export interface EditorValues {
  code: string;
  name: string;
  kind: string;
  unitId: string;
  legalBasis: string;
  conditions: string;
  statutoryDays: string;
  promisedDays: string;
  feeCharged: boolean;
  feeBasis: string;
  feeAmount: string;
  resultName: string;
  maxVisits: string;
  consultPhone: string;
  complaintPhone: string;
  themes: string;
  lifeEvents: string;
  targetPerson: boolean;
  targetEnterprise: boolean;
  place: string;
  hours: string;
  handlingType: string;
  /** 常见问题 as typed: 问 on one line, 答 on the lines below, a blank line between questions. */
  faq: string;
  materials: MaterialRow[];
  formFields: FieldRow[];
  stages: StageRow[];
}

export type EditorOp =
  | { type: 'save' }
  | { type: 'preview' }
  | { type: 'add-material' }
  | { type: 'remove-material'; index: number }
  | { type: 'add-field' }
  | { type: 'remove-field'; index: number }
  | { type: 'add-stage' }
  | { type: 'remove-stage'; index: number }
  | { type: 'add-step'; stage: number }
  | { type: 'remove-step'; stage: number; index: number };

type Form = Record<string, string | string[] | undefined>;

const text = (form: Form, name: string) => {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
};
const checked = (form: Form, name: string) => {
  const value = text(form, name);
  return value === 'on' || value === 'true' || value === '1' || value === 'yes';
};

/** The indexes present under a prefix: `materials.3.key` gives 3 for 'materials'. */
function indexes(form: Form, pattern: RegExp): number[] {
  const found = new Set<number>();
  for (const name of Object.keys(form)) {
    const match = pattern.exec(name);
    if (match) found.add(Number(match[1]));
  }
  return [...found].filter((n) => Number.isSafeInteger(n) && n >= 0 && n < 1000).sort((a, b) => a - b);
}

export const emptyMaterial = (): MaterialRow => ({ key: '', name: '', required: true, copies: '1', allowPending: false, description: '', blankFileId: '', exampleFileId: '' });
export const emptyField = (): FieldRow => ({ key: '', label: '', type: 'text', required: false, options: '' });
export const emptyStep = (role = 'approver', unitId = ''): StepRow => ({ key: '', name: '', unitId, role, days: '' });

/** A new item: one material to fill in and the acceptance stage every process starts with. */
export function newEditorValues(unitId = ''): EditorValues {
  return {
    code: '',
    name: '',
    kind: 'licensing',
    unitId,
    legalBasis: '',
    conditions: '',
    statutoryDays: '',
    promisedDays: '',
    feeCharged: false,
    feeBasis: '',
    feeAmount: '',
    resultName: '',
    maxVisits: '1',
    consultPhone: '',
    complaintPhone: '12345',
    themes: '',
    lifeEvents: '',
    targetPerson: true,
    targetEnterprise: true,
    place: '',
    hours: '',
    handlingType: 'promised',
    faq: '',
    materials: [emptyMaterial()],
    formFields: [],
    stages: [{ mode: 'all', steps: [{ key: 'accept', name: '受理', unitId, role: 'window_clerk', days: '1' }] }],
  };
}

/** Fen as yuan with two decimals, without floating point. */
export const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

/**
 * Yuan as typed (up to 8 digits and 2 decimals; a leading minus when `signed`) in whole fen,
 * from the digits rather than through a float (0.29 * 100 is not 29); null when not an amount.
 */
export function fenOf(text: string, options: { signed?: boolean } = {}): number | null {
  const match = (options.signed ? /^(-?)(\d{1,8})(?:\.(\d{1,2}))?$/ : /^()(\d{1,8})(?:\.(\d{1,2}))?$/).exec(text);
  if (!match) return null;
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '0').padEnd(2, '0'));
  return match[1] ? -fen : fen;
}

/** 常见问题 as the editor shows them: question, answer, a blank line between. */
export const faqText = (faq: NonNullable<ItemInput['faq']>) => faq.map((f) => `${f.question}\n${f.answer}`).join('\n\n');

/** The editor's 常见问题 text as questions and answers: the first line of a block asks, the rest answers. */
export function readFaq(text: string): Array<{ question: string; answer: string }> {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const [question, ...rest] = block.split('\n');
      return { question: question.replace(/^(问|Q)[:：.、]?\s*/i, '').trim(), answer: rest.join('\n').replace(/^(答|A)[:：.、]?\s*/i, '').trim() };
    });
}

export function fromItem(item: Pick<Item, Exclude<keyof ItemInput, 'targets' | 'place' | 'hours' | 'handlingType' | 'faq'>> & Partial<Pick<Item, 'targets' | 'place' | 'hours' | 'handlingType' | 'faq'>> & { code: string }): EditorValues {
  const targets = item.targets ?? ['person', 'enterprise'];
  return {
    code: item.code,
    name: item.name,
    kind: item.kind,
    unitId: item.unitId,
    legalBasis: item.legalBasis,
    conditions: item.conditions,
    statutoryDays: String(item.statutoryDays),
    promisedDays: String(item.promisedDays),
    feeCharged: item.fee.charged,
    feeBasis: item.fee.basis ?? '',
    feeAmount: item.fee.amountFen !== undefined ? yuan(item.fee.amountFen) : '',
    resultName: item.resultName,
    maxVisits: String(item.maxVisits),
    consultPhone: item.consultPhone,
    complaintPhone: item.complaintPhone,
    themes: (item.themes ?? []).join('、'),
    lifeEvents: (item.lifeEvents ?? []).join('、'),
    targetPerson: targets.includes('person'),
    targetEnterprise: targets.includes('enterprise'),
    place: item.place ?? '',
    hours: item.hours ?? '',
    handlingType: item.handlingType ?? 'promised',
    faq: faqText(item.faq ?? []),
    materials: item.materials.map((m) => ({
      key: m.key,
      name: m.name,
      required: m.required,
      copies: String(m.copies),
      allowPending: m.allowPending,
      description: m.description ?? '',
      blankFileId: m.blankFileId ?? '',
      exampleFileId: m.exampleFileId ?? '',
    })),
    formFields: (item.formFields ?? []).map((f) => ({ key: f.key, label: f.label, type: f.type, required: f.required, options: (f.options ?? []).join('、') })),
    stages: item.process.stages.map((stage) =>
      'parallel' in stage
        ? { mode: stage.mode ?? 'all', steps: stage.parallel.map((s) => ({ key: s.key, name: s.name, unitId: s.unitId, role: s.role, days: String(s.days) })) }
        : { mode: 'all' as const, steps: [{ key: stage.key, name: stage.name, unitId: stage.unitId, role: stage.role, days: String(stage.days) }] },
    ),
  };
}

/** Reads the posted editor form. */
export function readEditor(form: Form): EditorValues {
  const materials = indexes(form, /^materials\.(\d+)\.key$/).map((i) => ({
    key: text(form, `materials.${i}.key`),
    name: text(form, `materials.${i}.name`),
    required: checked(form, `materials.${i}.required`),
    copies: text(form, `materials.${i}.copies`),
    allowPending: checked(form, `materials.${i}.allowPending`),
    description: text(form, `materials.${i}.description`),
    blankFileId: text(form, `materials.${i}.blankFileId`),
    exampleFileId: text(form, `materials.${i}.exampleFileId`),
  }));
  const formFields = indexes(form, /^formFields\.(\d+)\.key$/).map((i) => ({
    key: text(form, `formFields.${i}.key`),
    label: text(form, `formFields.${i}.label`),
    type: text(form, `formFields.${i}.type`),
    required: checked(form, `formFields.${i}.required`),
    options: text(form, `formFields.${i}.options`),
  }));
  const stages = indexes(form, /^process\.stages\.(\d+)\.parallel\.\d+\.key$/).map((i) => ({
    mode: (text(form, `process.stages.${i}.mode`) === 'any' ? 'any' : 'all') as 'all' | 'any',
    steps: indexes(form, new RegExp(`^process\\.stages\\.${i}\\.parallel\\.(\\d+)\\.key$`)).map((j) => {
      const p = `process.stages.${i}.parallel.${j}`;
      return { key: text(form, `${p}.key`), name: text(form, `${p}.name`), unitId: text(form, `${p}.unitId`), role: text(form, `${p}.role`), days: text(form, `${p}.days`) };
    }),
  }));
  return {
    code: text(form, 'code'),
    name: text(form, 'name'),
    kind: text(form, 'kind'),
    unitId: text(form, 'unitId'),
    legalBasis: text(form, 'legalBasis'),
    conditions: text(form, 'conditions'),
    statutoryDays: text(form, 'statutoryDays'),
    promisedDays: text(form, 'promisedDays'),
    feeCharged: text(form, 'fee.charged') === 'yes',
    feeBasis: text(form, 'fee.basis'),
    feeAmount: text(form, 'fee.amount'),
    resultName: text(form, 'resultName'),
    maxVisits: text(form, 'maxVisits'),
    consultPhone: text(form, 'consultPhone'),
    complaintPhone: text(form, 'complaintPhone'),
    themes: text(form, 'themes'),
    lifeEvents: text(form, 'lifeEvents'),
    // The form says it shows the targets (an unchecked box is not posted); a post without them keeps both.
    targetPerson: text(form, 'targets') === 'shown' ? checked(form, 'targets.person') : true,
    targetEnterprise: text(form, 'targets') === 'shown' ? checked(form, 'targets.enterprise') : true,
    place: text(form, 'place'),
    hours: text(form, 'hours'),
    handlingType: text(form, 'handlingType') || 'promised',
    faq: typeof form.faq === 'string' ? form.faq.trim() : Array.isArray(form.faq) ? (form.faq[0] ?? '').trim() : '',
    materials,
    formFields,
    stages,
  };
}

export function readOp(value: string): EditorOp {
  const [name, a, b] = value.split(/[:.]/);
  const n = (s: string | undefined) => (s !== undefined && /^\d{1,3}$/.test(s) ? Number(s) : null);
  switch (name) {
    case 'preview':
    case 'add-material':
    case 'add-field':
    case 'add-stage':
      return { type: name };
    case 'remove-material':
    case 'remove-field':
    case 'remove-stage':
      return n(a) === null ? { type: 'save' } : { type: name, index: n(a)! };
    case 'add-step':
      return n(a) === null ? { type: 'save' } : { type: 'add-step', stage: n(a)! };
    case 'remove-step':
      return n(a) === null || n(b) === null ? { type: 'save' } : { type: 'remove-step', stage: n(a)!, index: n(b)! };
    default:
      return { type: 'save' };
  }
}

/** Adds or removes a row; returns the values unchanged for save and preview. */
export function applyOp(values: EditorValues, op: EditorOp): EditorValues {
  const v = { ...values, materials: [...values.materials], formFields: [...values.formFields], stages: values.stages.map((s) => ({ ...s, steps: [...s.steps] })) };
  switch (op.type) {
    case 'add-material':
      if (v.materials.length < LIMITS.materials) v.materials.push(emptyMaterial());
      break;
    case 'remove-material':
      v.materials.splice(op.index, 1);
      break;
    case 'add-field':
      if (v.formFields.length < LIMITS.formFields) v.formFields.push(emptyField());
      break;
    case 'remove-field':
      v.formFields.splice(op.index, 1);
      break;
    case 'add-stage':
      if (v.stages.length < LIMITS.stages) v.stages.push({ mode: 'all', steps: [emptyStep(v.stages.length ? 'approver' : 'window_clerk', v.unitId)] });
      break;
    case 'remove-stage':
      if (v.stages.length > 1) v.stages.splice(op.index, 1);
      break;
    case 'add-step': {
      const stage = v.stages[op.stage];
      if (stage && stage.steps.length < LIMITS.parallel) stage.steps.push(emptyStep());
      break;
    }
    case 'remove-step': {
      const stage = v.stages[op.stage];
      if (stage && stage.steps.length > 1) stage.steps.splice(op.index, 1);
      else if (stage && v.stages.length > 1) v.stages.splice(op.stage, 1);
      break;
    }
  }
  return v;
}

const LIST_SPLIT = /[,，、;；\n]+/;
const splitList = (value: string) => value.split(LIST_SPLIT).map((s) => s.trim()).filter(Boolean);
const blankMaterial = (m: MaterialRow) => !m.key && !m.name && !m.description;
const blankField = (f: FieldRow) => !f.key && !f.label && !f.options;

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
const checkShape = ajv.compile(Strict({ ...ItemInputSchema.properties, process: Type.Any() }));
const checkStep = ajv.compile(StepSchema);

/** Paths of the item (as the catalogue service reports them) mapped to the editor's input names. */
export interface EditorInput {
  input: ItemInput | null;
  errors: FieldError[];
  /** Turns a path of the item into the name of the editor input it concerns. */
  fieldOf(path: string): string;
}

function integer(value: string, path: string, errors: FieldError[]): number {
  if (!/^\d{1,6}$/.test(value)) {
    errors.push(fieldError(path, 'page.approval.editor.integer'));
    return 0;
  }
  return Number(value);
}

/**
 * The item input the values describe, or the problems that keep them from being one (types and
 * shapes; the catalogue service checks the rest). Blank material and form-field rows are left out.
 */
export function toItemInput(values: EditorValues): EditorInput {
  const errors: FieldError[] = [];
  const materialRows = values.materials.map((m, i) => ({ m, i })).filter(({ m }) => !blankMaterial(m));
  const fieldRows = values.formFields.map((f, i) => ({ f, i })).filter(({ f }) => !blankField(f));
  const fieldOf = (path: string): string => {
    let match = /^materials\.(\d+)(\..*)?$/.exec(path);
    if (match) return materialRows[Number(match[1])] ? `materials.${materialRows[Number(match[1])].i}${match[2] ?? '.key'}` : 'materials';
    match = /^formFields\.(\d+)(\..*)?$/.exec(path);
    if (match) return fieldRows[Number(match[1])] ? `formFields.${fieldRows[Number(match[1])].i}${match[2] ?? '.key'}` : 'formFields';
    match = /^process\.stages\.(\d+)\.(key|name|unitId|role|days)$/.exec(path);
    if (match) return `process.stages.${match[1]}.parallel.0.${match[2]}`;
    if (path === 'fee.amountFen') return 'fee.amount';
    if (/^faq(\.|$)/.test(path)) return 'faq';
    if (/^targets(\.|$)/.test(path)) return 'targets';
    return path;
  };

  const materials = materialRows.map(({ m }, k) => ({
    key: m.key,
    name: m.name,
    required: m.required,
    copies: integer(m.copies || '0', `materials.${k}.copies`, errors),
    allowPending: m.allowPending,
    ...(m.description ? { description: m.description } : {}),
    ...(m.blankFileId ? { blankFileId: m.blankFileId } : {}),
    ...(m.exampleFileId ? { exampleFileId: m.exampleFileId } : {}),
  }));
  const formFields = fieldRows.map(({ f }) => ({
    key: f.key,
    label: f.label,
    type: f.type as NonNullable<ItemInput['formFields']>[number]['type'],
    required: f.required,
    ...(f.options ? { options: splitList(f.options) } : {}),
  }));
  const stages: ItemInput['process']['stages'] = [];
  values.stages.forEach((stage, i) => {
    const steps = stage.steps.map((s, j) => ({
      key: s.key,
      name: s.name,
      unitId: s.unitId,
      role: s.role as StepInput['role'],
      days: integer(s.days, `process.stages.${i}.parallel.${j}.days`, errors),
    }));
    steps.forEach((step, j) => {
      if (!checkStep(step)) errors.push(...shapeErrors(checkStep.errors ?? [], `process.stages.${i}.parallel.${j}`));
    });
    if (steps.length === 1) stages.push(steps[0]);
    else if (steps.length > 1) stages.push({ parallel: steps, ...(stage.mode === 'any' ? { mode: 'any' as const } : {}) });
  });
  if (!stages.length) errors.push(fieldError('process.stages', 'page.approval.editor.noStages'));

  let fee: ItemInput['fee'] = { charged: values.feeCharged };
  if (values.feeBasis) fee = { ...fee, basis: values.feeBasis };
  if (values.feeAmount) {
    const amountFen = fenOf(values.feeAmount);
    if (amountFen === null) errors.push(fieldError('fee.amountFen', 'page.approval.editor.amount.invalid'));
    else fee = { ...fee, amountFen };
  }

  const input: ItemInput = {
    ...(values.code ? { code: values.code } : {}),
    name: values.name,
    kind: values.kind as ItemInput['kind'],
    unitId: values.unitId,
    legalBasis: values.legalBasis,
    conditions: values.conditions,
    materials,
    statutoryDays: integer(values.statutoryDays, 'statutoryDays', errors),
    promisedDays: integer(values.promisedDays, 'promisedDays', errors),
    fee,
    resultName: values.resultName,
    maxVisits: integer(values.maxVisits, 'maxVisits', errors),
    consultPhone: values.consultPhone,
    complaintPhone: values.complaintPhone,
    process: { stages },
    formFields,
    themes: splitList(values.themes),
    lifeEvents: splitList(values.lifeEvents),
    targets: [...(values.targetPerson ? ['person' as const] : []), ...(values.targetEnterprise ? ['enterprise' as const] : [])],
    place: values.place,
    hours: values.hours,
    handlingType: values.handlingType as NonNullable<ItemInput['handlingType']>,
    faq: readFaq(values.faq),
  };
  if (!input.targets!.length) errors.push(fieldError('targets', 'page.approval.editor.targetsRequired'));
  if (!checkShape(input)) {
    // A number already reported as not a number is not reported again as out of range.
    const known = new Set(errors.map((e) => e.path));
    errors.push(...shapeErrors(checkShape.errors ?? [], '').filter((e) => !known.has(e.path)));
  }
  return { input: errors.length ? null : input, errors: errors.map((e) => ({ ...e, path: fieldOf(e.path) })), fieldOf };
}

/** Ajv's errors as field errors, with the editor's own words for the rules people meet most. */
function shapeErrors(raw: NonNullable<typeof checkShape.errors>, prefix: string): FieldError[] {
  const zh = validationFieldErrors(raw, prefix, 'zh-CN');
  const en = validationFieldErrors(raw, prefix, 'en');
  return raw.map((error, i) => {
    const path = zh[i].path.replace(/^\./, '');
    if (error.keyword === 'pattern' && /\.key$|^key$/.test(path)) return fieldError(path, 'page.approval.editor.keyPattern');
    if (error.keyword === 'pattern' && path === 'code') return fieldError(path, 'page.approval.editor.codePattern');
    if (error.keyword === 'minLength' && (error.params as { limit?: number }).limit === 1) return fieldError(path, 'page.approval.editor.required');
    if (error.keyword === 'anyOf' || error.keyword === 'enum' || error.keyword === 'const') return fieldError(path, 'page.approval.editor.choose');
    return { path, message: { 'zh-CN': (zh[i].message as { 'zh-CN': string })['zh-CN'], en: (en[i].message as { en: string }).en } };
  }).filter((e, i, all) => all.findIndex((o) => o.path === e.path) === i);
}
