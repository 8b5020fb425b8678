/** Checks of an item beyond its schema, and the normalisation of what an editor or a file hands in. */
import type { Db } from '../../platform/db/index.ts';
import { fieldError, type FieldError } from '../../platform/http/errors.ts';
import { coversUnit, hasPermission, type Principal } from '../../platform/iam/principal.ts';
import { getUnits, type Unit } from '../../platform/org/service.ts';
import { allSteps, stageSteps, validateDefinition } from '../../platform/flow/engine.ts';
import type { FilesTables } from '../../platform/files/service.ts';
import type { ItemInput } from './model.ts';
import { CATALOGUE_PERMISSION, ITEM_FILE_OWNER } from './queries/items.ts';

/** Roles that may hold the acceptance (受理) step, and those that may hold the later ones. */
export const ACCEPTANCE_ROLES = ['window_clerk', 'village_officer'] as const;
export const REVIEW_ROLES = ['approver', 'unit_leader'] as const;
/** Acceptance must happen within 5 working days of submission. */
export const ACCEPTANCE_DAYS_MAX = 5;

const PHONE = /^[0-9+()\- ]+$/;

/** Trims texts, drops what does not apply, removes repeated themes. */
export function normalizeInput(input: ItemInput): ItemInput {
  const unique = (list: string[] | undefined) => [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))];
  const fee: ItemInput['fee'] = { charged: input.fee.charged };
  if (input.fee.basis?.trim()) fee.basis = input.fee.basis.trim();
  if (input.fee.amountFen !== undefined && (input.fee.charged || input.fee.amountFen !== 0)) fee.amountFen = input.fee.amountFen;
  return {
    ...(input.code ? { code: input.code } : {}),
    name: input.name.trim(),
    kind: input.kind,
    unitId: input.unitId,
    legalBasis: input.legalBasis.trim(),
    conditions: input.conditions.trim(),
    materials: input.materials.map(({ description, blankFileId, exampleFileId, ...m }) => ({
      ...m,
      name: m.name.trim(),
      ...(description?.trim() ? { description: description.trim() } : {}),
      ...(blankFileId ? { blankFileId } : {}),
      ...(exampleFileId ? { exampleFileId } : {}),
    })),
    statutoryDays: input.statutoryDays,
    promisedDays: input.promisedDays,
    fee,
    resultName: input.resultName.trim(),
    maxVisits: input.maxVisits,
    consultPhone: input.consultPhone.trim(),
    complaintPhone: input.complaintPhone.trim(),
    process: {
      stages: input.process.stages.map((stage) =>
        'parallel' in stage ? { parallel: stage.parallel.map((s) => ({ ...s, name: s.name.trim() })), ...(stage.mode ? { mode: stage.mode } : {}) } : { ...stage, name: stage.name.trim() },
      ),
    },
    formFields: (input.formFields ?? []).map((f) => ({ ...f, label: f.label.trim() })),
    themes: unique(input.themes),
    lifeEvents: unique(input.lifeEvents),
    targets: input.targets?.length ? (['person', 'enterprise'] as const).filter((t) => input.targets!.includes(t)) : ['person', 'enterprise'],
    place: input.place?.trim() ?? '',
    hours: input.hours?.trim() ?? '',
    handlingType: input.handlingType ?? 'promised',
    faq: (input.faq ?? []).map((f) => ({ question: f.question.trim(), answer: f.answer.trim() })),
  };
}

/**
 * A file a material may offer for download: one the caller uploaded and has not attached to
 * anything yet, or one the item's code already offers. The system (principal null) may use any
 * unattached file.
 */
async function mayUseMaterialFile(db: Db, principal: Principal | null, id: string, code: string | undefined): Promise<boolean> {
  const row = await db.withTables<FilesTables>().selectFrom('files').select(['owner_type', 'owner_id', 'uploaded_by']).where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  if (row.owner_type === null) return !principal || row.uploaded_by === principal.userId;
  return row.owner_type === ITEM_FILE_OWNER && !!code && row.owner_id === code;
}

/** Looks units up once per check (an import checks a thousand items against the same units). */
export type UnitLookup = (ids: string[]) => Promise<Map<string, Unit>>;
export const unitLookup = (db: Db): UnitLookup => {
  const cache = new Map<string, Unit | null>();
  return async (ids) => {
    const missing = [...new Set(ids)].filter((id) => !cache.has(id));
    if (missing.length) {
      const found = await getUnits(db, missing);
      for (const id of missing) cache.set(id, found.find((u) => u.id === id) ?? null);
    }
    const out = new Map<string, Unit>();
    for (const id of ids) {
      const unit = cache.get(id);
      if (unit) out.set(id, unit);
    }
    return out;
  };
};

/**
 * The semantic checks on top of the schema: time limits, materials, fee, phones, and a process
 * that can run (every step's unit exists; the first stage is one acceptance step by a window
 * clerk, or by a village officer at a town or village unit; later steps by approvers or leaders;
 * the steps after acceptance fit in the promised days). Paths are relative to the item, after
 * `pathPrefix` ('body.' for a request body). Writes nothing.
 */
export async function checkItem(
  db: Db,
  principal: Principal | null,
  input: ItemInput,
  options: { pathPrefix?: string; units?: UnitLookup } = {},
): Promise<FieldError[]> {
  const p = options.pathPrefix ?? '';
  const errors: FieldError[] = [];
  const add = (path: string, key: string, params?: Record<string, unknown>) => errors.push(fieldError(`${p}${path}`, `approval.catalogue.${key}`, params));

  for (const field of ['name', 'legalBasis', 'conditions', 'resultName'] as const) if (!input[field].trim()) add(field, 'blank');
  for (const field of ['consultPhone', 'complaintPhone'] as const) {
    const phone = input[field].trim();
    if (!PHONE.test(phone) || phone.replace(/\D/g, '').length < 3) add(field, 'phoneInvalid');
  }
  // 即办件: handled on the spot, so nothing after acceptance takes more than the one day.
  if (input.handlingType === 'instant' && input.promisedDays > 1) add('handlingType', 'instantPromisedDays', { promised: input.promisedDays });
  (input.faq ?? []).forEach((f, i) => {
    if (!f.question.trim()) add(`faq.${i}.question`, 'blank');
    if (!f.answer.trim()) add(`faq.${i}.answer`, 'blank');
  });
  for (const [i, m] of input.materials.entries()) {
    for (const field of ['blankFileId', 'exampleFileId'] as const) {
      const id = m[field];
      if (id && !(await mayUseMaterialFile(db, principal, id, input.code))) add(`materials.${i}.${field}`, 'materialFileUnknown');
    }
  }
  if (input.promisedDays > input.statutoryDays) add('promisedDays', 'promisedOverStatutory', { promised: input.promisedDays, statutory: input.statutoryDays });

  const materialKeys = new Set<string>();
  input.materials.forEach((m, i) => {
    if (materialKeys.has(m.key)) add(`materials.${i}.key`, 'materialKeyDuplicate', { key: m.key });
    materialKeys.add(m.key);
    if (!m.name.trim()) add(`materials.${i}.name`, 'blank');
  });
  const fieldKeys = new Set<string>();
  (input.formFields ?? []).forEach((f, i) => {
    if (fieldKeys.has(f.key)) add(`formFields.${i}.key`, 'formFieldKeyDuplicate', { key: f.key });
    fieldKeys.add(f.key);
    if (f.type === 'select' && !f.options?.length) add(`formFields.${i}.options`, 'selectNeedsOptions');
    if (f.type !== 'select' && f.options?.length) add(`formFields.${i}.options`, 'optionsOnlyForSelect');
  });

  if (input.fee.charged) {
    if (!input.fee.amountFen) add('fee.amountFen', 'feeAmountRequired');
    if (!input.fee.basis?.trim()) add('fee.basis', 'feeBasisRequired');
  } else if (input.fee.amountFen) add('fee.amountFen', 'feeAmountNotCharged');

  // The process.
  for (const problem of validateDefinition(input.process)) {
    const cut = problem.indexOf(': ');
    const path = cut > 0 ? problem.slice(0, cut) : 'stages';
    const reason = cut > 0 ? problem.slice(cut + 2) : problem;
    const twice = /"(.+)" is used twice/.exec(reason);
    if (twice) add(`process.${path}`, 'stepKeyDuplicate', { key: twice[1] });
    else add(`process.${path}`, 'processInvalid', { reason });
  }
  const lookup = options.units ?? unitLookup(db);
  const steps = allSteps(input.process);
  const units = await lookup([input.unitId, ...steps.map((s) => s.unitId)]);
  const itemUnit = units.get(input.unitId);
  if (!itemUnit || (principal && !(hasPermission(principal, CATALOGUE_PERMISSION) && coversUnit(principal, CATALOGUE_PERMISSION, itemUnit)))) add('unitId', 'unitMissing');

  let laterDays = 0;
  input.process.stages.forEach((stage, i) => {
    const stageSteps_ = stageSteps(stage);
    stageSteps_.forEach((step, j) => {
      const path = 'parallel' in stage ? `process.stages.${i}.parallel.${j}` : `process.stages.${i}`;
      const unit = units.get(step.unitId);
      if (!unit) add(`${path}.unitId`, 'stepUnitMissing');
      const accepting = (ACCEPTANCE_ROLES as readonly string[]).includes(step.role);
      if (i === 0 && !('parallel' in stage)) {
        if (!accepting) add(`${path}.role`, 'firstStageAcceptance');
        else if (step.role === 'village_officer' && unit && unit.kind !== 'village' && unit.kind !== 'town') add(`${path}.role`, 'villageOfficerUnit');
        if (step.days > ACCEPTANCE_DAYS_MAX) add(`${path}.days`, 'acceptanceDaysMax', { max: ACCEPTANCE_DAYS_MAX });
      } else if (i > 0 && accepting) add(`${path}.role`, 'acceptanceRoleLater');
    });
    if (i === 0 && 'parallel' in stage) add('process.stages.0', 'firstStageAcceptance');
    if (i > 0) laterDays += Math.max(...stageSteps_.map((s) => s.days));
  });
  if (laterDays > input.promisedDays) add('process.stages', 'processLongerThanPromised', { days: laterDays, promised: input.promisedDays });
  return errors;
}
