import { Type } from '@sinclair/typebox';
import { AppError, renderMessage, type FieldError } from '../http/errors.ts';
import type { Lang } from '../i18n/index.ts';

const Value = Type.String({ maxLength: 4000 });

/**
 * A posted HTML form: text fields (a repeated name gives a list). Pages read the fields
 * they know with formText/formList and re-render the form with messages when a value is
 * wrong, so the schema only bounds the size and the shape.
 */
export const FormBody = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Value, Type.Array(Value, { maxItems: 200 })]), { maxProperties: 300 });
export type FormValues = Record<string, string | string[]>;

/** Query parameters every page accepts: the language and display choices. */
export const PageQueryFields = {
  lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  display: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('large')])),
};

export function formText(body: unknown, name: string): string {
  const value = (body as FormValues | undefined)?.[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' ? text.trim() : '';
}

/** A value taken exactly as typed (passwords: spaces count). */
export function formRaw(body: unknown, name: string): string {
  const value = (body as FormValues | undefined)?.[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' ? text : '';
}

export function formList(body: unknown, name: string): string[] {
  const value = (body as FormValues | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Field messages by field name ('body.name' and 'name' both map to 'name'). */
export type FieldMessages = Record<string, string>;

export function fieldMessages(errors: FieldError[] | undefined, lang: Lang): FieldMessages {
  const out: FieldMessages = {};
  for (const error of errors ?? []) {
    const name = error.path.replace(/^body\./, '');
    out[name] = out[name] ? `${out[name]}；${renderMessage(error.message, lang)}` : renderMessage(error.message, lang);
  }
  return out;
}

/** Codes a form shows next to its fields instead of as an error page. */
const FORM_CODES = new Set(['VALIDATION_FAILED', 'DUPLICATE', 'RATE_LIMITED', 'IAM_ACCOUNT_NOT_FOUND', 'AUTH_LOCKED', 'AUTH_THROTTLED', 'AUTH_SECOND_FACTOR_REQUIRED', 'AUTH_DISABLED', 'PASSWORD_WEAK', 'AUTH_INVALID', 'TOTP_INVALID', 'ROLE_CONFLICT', 'INVALID_STATE', 'CONFLICT', 'CALENDAR_NO_DATA']);

/**
 * Runs a form action; a refusal the user can correct comes back as messages (per field and
 * a summary), anything else propagates to the error page.
 */
export async function attempt<T>(lang: Lang, action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError; fields: FieldMessages; summary: string }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (error instanceof AppError && FORM_CODES.has(error.code)) {
      const problem = error.toProblem(lang);
      return { ok: false, error, fields: fieldMessages(error.fieldErrors, lang), summary: problem.detail };
    }
    throw error;
  }
}

const dateTimeOptions: Intl.DateTimeFormatOptions = { timeZone: 'Asia/Shanghai', year: 'numeric', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false };
const dateTime = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { ...dateTimeOptions, month: '2-digit' }),
  en: new Intl.DateTimeFormat('en-GB', { ...dateTimeOptions, month: 'short' }),
};
const dateTimeSeconds = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { ...dateTimeOptions, month: '2-digit', second: '2-digit' }),
  en: new Intl.DateTimeFormat('en-GB', { ...dateTimeOptions, month: 'short', second: '2-digit' }),
};

/** A moment shown in Asia/Shanghai, the way each language writes it (to the second for records such as the audit log). */
export function formatDateTime(value: string | Date, lang: Lang, options: { seconds?: boolean } = {}): string {
  return (options.seconds ? dateTimeSeconds : dateTime)[lang].format(typeof value === 'string' ? new Date(value) : value);
}
