/** Checks of what an applicant hands in: form data against the item's fields, materials against its list. */
import type { Db } from '../../platform/db/index.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { AppError, fieldError, type FieldError } from '../../platform/http/errors.ts';
import { workingDays } from '../../platform/calendar/index.ts';
import { getFiles } from '../../platform/files/index.ts';
import type { ApplicationInput } from './model.ts';
import type { Item } from './catalogue.ts';

/** Form data against the item's fields: unknown keys, required fields, types, lengths, options. */
export function formErrors(fields: Item['formFields'], form: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(form)) if (!byKey.has(key)) errors.push(fieldError(`form.${key}`, 'approval.app.formUnknownField', { key }));
  for (const field of fields) {
    const value = form[field.key];
    const path = `form.${field.key}`;
    if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
      if (field.required) errors.push(fieldError(path, 'approval.app.formRequired', { label: field.label }));
      continue;
    }
    switch (field.type) {
      case 'text':
      case 'textarea': {
        const max = field.maxLength ?? (field.type === 'text' ? 200 : 5000);
        if (typeof value !== 'string' || value.length > max) errors.push(fieldError(path, 'approval.app.formText', { label: field.label, max }));
        break;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(fieldError(path, 'approval.app.formNumber', { label: field.label }));
        break;
      case 'date':
        if (typeof value !== 'string' || !workingDays.isValidDate(value)) errors.push(fieldError(path, 'approval.app.formDate', { label: field.label }));
        break;
      case 'select':
        if (typeof value !== 'string' || !(field.options ?? []).includes(value)) errors.push(fieldError(path, 'approval.app.formSelect', { label: field.label, options: (field.options ?? []).join('、') }));
        break;
    }
  }
  return errors;
}

/**
 * Materials against the item's list: unknown keys, files that are not the caller's fresh uploads,
 * the same file twice. Returns the accepted entries and what the caller did not hand in.
 */
export async function checkMaterials(db: Db, principal: Principal, item: Item, materials: ApplicationInput['materials']) {
  const errors: FieldError[] = [];
  const known = new Map(item.materials.map((m) => [m.key, m]));
  const seenFiles = new Set<string>();
  const files = await getFiles(db, materials.map((m) => m.fileId));
  for (const [i, entry] of materials.entries()) {
    if (!known.has(entry.materialKey)) {
      errors.push(fieldError(`materials.${i}.materialKey`, 'approval.app.materialUnknown', { key: entry.materialKey }));
      continue;
    }
    if (seenFiles.has(entry.fileId)) {
      errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileTwice'));
      continue;
    }
    seenFiles.add(entry.fileId);
    const file = files.get(entry.fileId);
    if (!file || file.uploadedBy !== principal.userId) errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileNotFound'));
    else if (file.ownerId !== null) errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileAttached'));
  }
  const provided = new Set(materials.map((m) => m.materialKey));
  const missing = item.materials.filter((m) => m.required && !m.allowPending && !provided.has(m.key));
  const pending = item.materials.filter((m) => m.required && m.allowPending && !provided.has(m.key));
  return { errors, missing, pending };
}

export function missingMaterialsError(errors: FieldError[], missing: Array<{ key: string; name: string }>, detailKey = 'approval.app.materialsMissing') {
  return new AppError('VALIDATION_FAILED', {
    errors: [...errors, ...missing.map((m) => fieldError(`materials.${m.key}`, 'approval.app.materialMissing', { name: m.name }))],
    detail: missing.length ? { key: detailKey, params: { count: missing.length, names: missing.map((m) => m.name).join('、') } } : undefined,
    extra: missing.length ? { missingMaterials: missing.map((m) => ({ materialKey: m.key, name: m.name })) } : undefined,
  });
}
