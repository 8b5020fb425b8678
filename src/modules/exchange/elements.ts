/**
 * The GB/T 9704-2012 elements of an official document, checked without a database: the API, the
 * compose form and its checks as you type (POST …/documents/check) all use this one function.
 * Whether the named units exist is checked by the commands (and again when the document is sent).
 *
 * Decisions (docs/decisions/0014-document-body-sanitiser.md lists them with the reasons):
 * - document number 发文字号 `代字〔2026〕12号`: the full four-digit year in 六角括号 〔〕, a
 *   serial number without 第 and without leading zeros;
 * - secrecy: `secret` (秘密) and `confidential` (机密) need a period in whole years (`1年` …),
 *   at most the statutory longest (秘密 10 年, 机密 20 年), and a six-digit copy number 份号
 *   (涉密公文应当标注份号); `none` takes neither period nor star;
 * - a signer 签发人 is required for upward documents (请示, 报告);
 * - the written date 成文日期 is a real day `YYYY-MM-DD`, shown as `2026年5月1日`; the printed
 *   date 印发日期, when given, is not before it.
 */
import { translate, type Lang } from '../../platform/i18n/index.ts';
import { fieldError, renderMessage, type FieldError } from '../../platform/http/errors.ts';
import { DOC_TYPES, SECRECY, URGENCY, type Secrecy } from './model.ts';
import { bodyText, MAX_BODY_CHARS, sanitizeBody } from '../../platform/views/rich-text.ts';

/** The elements as the API and the form give them (strings and lists, any of them missing). */
export interface DocumentElementsInput {
  title?: string;
  docNumber?: string;
  issuingUnitId?: string;
  secrecy?: string;
  secrecyPeriod?: string | null;
  urgency?: string;
  signer?: string | null;
  body?: string;
  attachments?: string[];
  mainRecipients?: string[];
  ccRecipients?: string[];
  writtenDate?: string;
  docType?: string;
  copyNo?: string | null;
  issuingAuthority?: string | null;
  notes?: string | null;
  printingUnit?: string | null;
  printedDate?: string | null;
  countersignUnitIds?: string[];
}

export const LIMITS = { title: 200, docNumber: 40, signer: 50, issuingAuthority: 100, notes: 500, printingUnit: 100, recipients: 5000, countersign: 20, attachments: 50 } as const;

/** Periods of secrecy in whole years, up to the statutory longest of each level. */
export const MAX_SECRECY_YEARS: Record<Exclude<Secrecy, 'none'>, number> = { secret: 10, confidential: 20 };
/** Upward documents, which carry the name of the leader who signed them (签发人). */
export const UPWARD_TYPES = ['request', 'report'];

const DOC_NUMBER = /^([^\s〔〕[\]［］()（）第]{1,20})〔(\d{4})〕([1-9]\d{0,5})号$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

/** What is wrong with a document number, as a catalogue key; null when it is right. */
export function docNumberProblem(value: string): string | null {
  if (DOC_NUMBER.test(value)) {
    const year = Number(DOC_NUMBER.exec(value)![2]);
    return year < 1949 || year > 2099 ? 'exchange.doc.numberYear' : null;
  }
  if (/[[\]［］()（）【】]/.test(value) && !/[〔〕]/.test(value)) return 'exchange.doc.numberBrackets';
  if (/〔\d{1,3}〕|〔\d{5,}〕/.test(value)) return 'exchange.doc.numberYear';
  if (/〕\s*第/.test(value) || /第\s*\d+\s*号$/.test(value)) return 'exchange.doc.numberNoDi';
  if (/〕0\d*号$/.test(value)) return 'exchange.doc.numberLeadingZero';
  return 'exchange.doc.numberFormat';
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The problems of the elements as field errors (catalogue keys), in the order of the form. */
export function elementErrors(input: DocumentElementsInput): FieldError[] {
  const errors: FieldError[] = [];
  const title = text(input.title);
  if (!title) errors.push(fieldError('title', 'exchange.doc.titleRequired'));
  else if (title.length > LIMITS.title) errors.push(fieldError('title', 'exchange.doc.tooLong', { max: LIMITS.title }));

  const docNumber = text(input.docNumber);
  if (!docNumber) errors.push(fieldError('docNumber', 'exchange.doc.numberRequired'));
  else if (docNumber.length > LIMITS.docNumber) errors.push(fieldError('docNumber', 'exchange.doc.tooLong', { max: LIMITS.docNumber }));
  else {
    const problem = docNumberProblem(docNumber);
    if (problem) errors.push(fieldError('docNumber', problem));
  }

  const docType = text(input.docType) || 'notice';
  if (!(DOC_TYPES as readonly string[]).includes(docType)) errors.push(fieldError('docType', 'exchange.doc.docTypeUnknown'));

  const secrecy = text(input.secrecy) || 'none';
  const period = text(input.secrecyPeriod);
  const copyNo = text(input.copyNo);
  if (!(SECRECY as readonly string[]).includes(secrecy)) errors.push(fieldError('secrecy', 'exchange.doc.secrecyUnknown'));
  else if (secrecy === 'none') {
    if (period) errors.push(fieldError('secrecyPeriod', 'exchange.doc.periodWithoutSecrecy'));
  } else {
    const max = MAX_SECRECY_YEARS[secrecy as Exclude<Secrecy, 'none'>];
    const m = /^([1-9]\d?)年$/.exec(period);
    if (!period) errors.push(fieldError('secrecyPeriod', 'exchange.doc.periodRequired'));
    else if (!m) errors.push(fieldError('secrecyPeriod', 'exchange.doc.periodFormat'));
    else if (Number(m[1]) > max) errors.push(fieldError('secrecyPeriod', 'exchange.doc.periodTooLong', { max }));
    if (!copyNo) errors.push(fieldError('copyNo', 'exchange.doc.copyNoRequired'));
  }
  if (copyNo && !/^\d{6}$/.test(copyNo)) errors.push(fieldError('copyNo', 'exchange.doc.copyNoFormat'));

  if (!(URGENCY as readonly string[]).includes(text(input.urgency) || 'normal')) errors.push(fieldError('urgency', 'exchange.doc.urgencyUnknown'));

  const signer = text(input.signer);
  if (signer.length > LIMITS.signer) errors.push(fieldError('signer', 'exchange.doc.tooLong', { max: LIMITS.signer }));
  else if (!signer && UPWARD_TYPES.includes(docType)) errors.push(fieldError('signer', 'exchange.doc.signerRequired'));

  const issuingAuthority = text(input.issuingAuthority);
  if (issuingAuthority.length > LIMITS.issuingAuthority) errors.push(fieldError('issuingAuthority', 'exchange.doc.tooLong', { max: LIMITS.issuingAuthority }));

  const body = typeof input.body === 'string' ? input.body : '';
  if (body.length > MAX_BODY_CHARS) errors.push(fieldError('body', 'exchange.doc.bodyTooLong', { max: MAX_BODY_CHARS }));
  else if (!bodyText(sanitizeBody(body))) errors.push(fieldError('body', 'exchange.doc.bodyRequired'));

  const main = input.mainRecipients ?? [];
  const cc = input.ccRecipients ?? [];
  if (!main.length) errors.push(fieldError('mainRecipients', 'exchange.doc.mainRequired'));
  if (main.length > LIMITS.recipients || cc.length > LIMITS.recipients) errors.push(fieldError(main.length > LIMITS.recipients ? 'mainRecipients' : 'ccRecipients', 'exchange.doc.tooMany', { max: LIMITS.recipients }));
  if (new Set(main).size !== main.length) errors.push(fieldError('mainRecipients', 'exchange.doc.recipientTwice'));
  if (new Set(cc).size !== cc.length) errors.push(fieldError('ccRecipients', 'exchange.doc.recipientTwice'));
  const mainSet = new Set(main);
  if (cc.some((id) => mainSet.has(id))) errors.push(fieldError('ccRecipients', 'exchange.doc.mainAndCc'));
  const issuing = text(input.issuingUnitId);
  if (issuing && mainSet.has(issuing)) errors.push(fieldError('mainRecipients', 'exchange.doc.toItself'));
  if (issuing && cc.includes(issuing)) errors.push(fieldError('ccRecipients', 'exchange.doc.toItself'));

  const countersign = input.countersignUnitIds ?? [];
  if (countersign.length > LIMITS.countersign) errors.push(fieldError('countersignUnitIds', 'exchange.doc.tooMany', { max: LIMITS.countersign }));
  if (new Set(countersign).size !== countersign.length) errors.push(fieldError('countersignUnitIds', 'exchange.doc.recipientTwice'));
  if (issuing && countersign.includes(issuing)) errors.push(fieldError('countersignUnitIds', 'exchange.doc.countersignItself'));

  const attachments = input.attachments ?? [];
  if (attachments.length > LIMITS.attachments) errors.push(fieldError('attachments', 'exchange.doc.tooMany', { max: LIMITS.attachments }));

  const written = text(input.writtenDate);
  if (!written) errors.push(fieldError('writtenDate', 'exchange.doc.dateRequired'));
  else if (!validDate(written)) errors.push(fieldError('writtenDate', 'exchange.doc.dateFormat'));
  const printed = text(input.printedDate);
  if (printed && !validDate(printed)) errors.push(fieldError('printedDate', 'exchange.doc.dateFormat'));
  else if (printed && validDate(written) && printed < written) errors.push(fieldError('printedDate', 'exchange.doc.printedBeforeWritten'));

  if (text(input.notes).length > LIMITS.notes) errors.push(fieldError('notes', 'exchange.doc.tooLong', { max: LIMITS.notes }));
  if (text(input.printingUnit).length > LIMITS.printingUnit) errors.push(fieldError('printingUnit', 'exchange.doc.tooLong', { max: LIMITS.printingUnit }));
  return errors;
}

/** A field's problem in words. */
export interface ElementProblem {
  path: string;
  message: string;
}

/**
 * The element checks in the caller's language: what the compose page shows as you type and the
 * API's `POST /api/v1/exchange/documents/check` answers. Empty when every element is right.
 */
export function checkDocumentElements(input: DocumentElementsInput, lang: Lang): ElementProblem[] {
  return elementErrors(input).map((e) => ({ path: e.path, message: renderMessage(e.message, lang) }));
}

/** The written date as a document shows it: `2026年5月1日` (Chinese), `1 May 2026` (English). */
export function formatWrittenDate(date: string, lang: Lang): string {
  const m = DATE.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m;
  if (lang === 'zh-CN') return translate(lang, 'exchange.doc.dateShown', { year: y, month: Number(mo), day: Number(d) });
  const month = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
  return `${Number(d)} ${month} ${y}`;
}
