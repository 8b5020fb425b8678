/** The checks every write of an item shares: dates, text, the category, the index number. */
import type { Work } from '../../../../platform/db/work.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../../platform/http/errors.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import { shanghaiDate } from '../../../../platform/calendar/index.ts';
import { INDEX_NO, LIMITS, type CategoryRow } from '../model.ts';
import { findCategory } from '../queries/catalogue.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const isDate = (value: string) => DATE.test(value) && !Number.isNaN(new Date(`${value}T00:00:00Z`).getTime()) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** Text as stored: spaces collapsed at the ends; empty becomes null for optional fields. */
export const optionalText = (value: string | null | undefined) => {
  const text = value?.trim();
  return text ? text : null;
};

/** A publication moment: a date (that day, 00:00 Shanghai) or a date-time with its offset. */
export function publicationTime(value: string | undefined, now: Date, errors: FieldError[]): Date {
  if (value === undefined || value === '') return now;
  const at = isDate(value) ? new Date(`${value}T00:00:00+08:00`) : /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < 2000 || at.getUTCFullYear() > 2100) {
    errors.push(fieldError('body.publishedAt', 'portal.disclosure.check.dateTime'));
    return now;
  }
  return at;
}

export function checkText(errors: FieldError[], path: string, value: string | null | undefined, max: number, required = false) {
  if (value === undefined || value === null) {
    if (required) errors.push(fieldError(path, 'portal.disclosure.check.blank'));
    return;
  }
  if (required && !value.trim()) errors.push(fieldError(path, 'portal.disclosure.check.blank'));
  else if (value.length > max) errors.push(fieldError(path, 'portal.disclosure.check.tooLong', { max }));
}

export function checkWrittenDate(errors: FieldError[], value: string | undefined) {
  if (value === undefined) return;
  if (!isDate(value) || value < '1949-10-01' || value > '2100-12-31') errors.push(fieldError('body.writtenDate', 'portal.disclosure.check.date'));
}

/** The item's category: one of the unit's (422 otherwise, never another unit's 404). */
export async function checkCategory(work: Work, unitId: string, categoryId: string): Promise<CategoryRow> {
  const category = await findCategory(work.tx, categoryId);
  if (!category || category.unit_id !== unitId) throw new AppError('PORTAL_DISCLOSURE_CATEGORY_UNKNOWN', { errors: [fieldError('body.categoryId', 'portal.disclosure.category.unknown')] });
  return category;
}

/**
 * An index number given by the caller: its shape, and the unit's own credit code in front (a
 * number made with another unit's code is refused, 422); returns its year and serial.
 */
export function checkIndexNo(unit: Unit, indexNo: string): { year: number; serial: number } {
  const match = INDEX_NO.exec(indexNo);
  if (!match) throw new AppError('PORTAL_DISCLOSURE_INDEX_NO_INVALID', { errors: [fieldError('body.indexNo', 'portal.disclosure.indexNo.format')] });
  const [, code, year, serial] = match;
  if (!unit.creditCode) throw new AppError('PORTAL_DISCLOSURE_UNIT_NO_CREDIT_CODE', { detail: { key: 'portal.disclosure.indexNo.noCreditCode', params: { unit: unit.name } } });
  if (code !== unit.creditCode) throw new AppError('PORTAL_DISCLOSURE_INDEX_NO_INVALID', { errors: [fieldError('body.indexNo', 'portal.disclosure.indexNo.otherUnit', { code: unit.creditCode })] });
  if (Number(year) < 2000 || Number(year) > 2100 || Number(serial) < 1) throw new AppError('PORTAL_DISCLOSURE_INDEX_NO_INVALID', { errors: [fieldError('body.indexNo', 'portal.disclosure.indexNo.format')] });
  return { year: Number(year), serial: Number(serial) };
}

export const yearOf = (at: Date) => Number(shanghaiDate(at).slice(0, 4));

export function throwIfAny(errors: FieldError[]) {
  if (errors.length) throw invalid(errors);
}

export { LIMITS };
