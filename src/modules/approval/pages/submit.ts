/** Filing an application from a page form, online by a citizen or at the window by a clerk. */
import type { FastifyRequest } from 'fastify';
import { AppError, actorOf, renderMessage } from '../../../platform/http/index.ts';
import { idempotent } from '../../../platform/http/idempotency.ts';
import { getFile } from '../../../platform/files/index.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { attempt, formText, type FieldMessages } from '../../../platform/views/index.ts';
import type { ApplicationInput } from '../model.ts';
import type { Item } from '../queries/items.ts';
import { submitApplication, type SubmitResult } from '../commands/submit-application.ts';
import { saveStagedUploads } from './uploads.ts';
import { checkApplicant } from '../applicant.ts';
import { formErrors } from '../submission-checks.ts';
import type { ApplicationValues } from './application-form.tsx';

const TOKEN = /^[\w-]{16,100}$/;

/** A fresh token for one application form: the same form posted twice files one application. */
export const submissionToken = (platform: Platform) => platform.crypto.randomToken(24);

/** The application as typed (files aside). */
export function readApplication(body: unknown, item: Item): ApplicationValues {
  const form: Record<string, string> = {};
  for (const field of item.formFields) form[field.key] = formText(body, `form.${field.key}`);
  return {
    kind: formText(body, 'applicant.kind') === 'enterprise' ? 'enterprise' : 'person',
    name: formText(body, 'applicant.name'),
    idNumber: formText(body, 'applicant.idNumber').toUpperCase(),
    creditCode: formText(body, 'applicant.creditCode').toUpperCase(),
    phone: formText(body, 'applicant.phone'),
    form,
    kept: {},
  };
}

function formData(item: Item, values: ApplicationValues): ApplicationInput['form'] {
  const out: ApplicationInput['form'] = {};
  for (const field of item.formFields) {
    const value = values.form[field.key];
    if (!value) continue;
    out[field.key] = field.type === 'number' && /^-?\d{1,15}(\.\d{1,6})?$/.test(value) ? Number(value) : value;
  }
  return out;
}

export type FormSubmission =
  | { ok: true; result: SubmitResult }
  | { ok: false; values: ApplicationValues; fields: FieldMessages; summary?: string; status: number; submission?: string };

/**
 * Saves the files the form brought, keeps those of an earlier refused attempt, and files the
 * application through the applications service (idempotent per form token). A refusal comes back
 * with the messages by input name and the files kept, so nothing is uploaded twice.
 */
export async function submitFromForm(platform: Platform, request: FastifyRequest, item: Item, channel: 'online' | 'window'): Promise<FormSubmission> {
  const lang = request.lang;
  const principal = request.principal!;
  const values = readApplication(request.body, item);
  const { saved, errors: uploadErrors } = await saveStagedUploads(platform, request, 'file.');
  const fields: FieldMessages = {};
  for (const material of item.materials) {
    const fresh = saved.get(material.key);
    if (fresh) {
      values.kept[material.key] = { id: fresh.id, name: fresh.name };
      continue;
    }
    const keptId = formText(request.body, `kept.${material.key}`);
    if (!keptId || keptId.length > 64) continue;
    const file = await getFile(platform.db, keptId);
    if (file && file.uploadedBy === principal.userId && file.ownerId === null) values.kept[material.key] = { id: file.id, name: file.name };
  }
  const materials = item.materials.filter((m) => values.kept[m.key]).map((m) => ({ materialKey: m.key, fileId: values.kept[m.key].id }));
  const input: ApplicationInput = {
    itemId: item.id,
    channel,
    applicant: {
      kind: values.kind,
      name: values.name,
      ...(values.kind === 'person' ? { idNumber: values.idNumber } : { creditCode: values.creditCode }),
      phone: values.phone,
    },
    form: formData(item, values),
    materials,
  };
  for (const [key, error] of uploadErrors) fields[`file.${key}`] = error.toProblem(lang).detail;
  if (Object.keys(fields).length) {
    // A refused file does not hide the other problems of the form: the applicant's and the form's
    // fields are checked too, and every message is shown at once.
    for (const e of [...checkApplicant(input.applicant).errors, ...formErrors(item.formFields, input.form)]) {
      const message = renderMessage(e.message, lang);
      fields[e.path] = fields[e.path] ? `${fields[e.path]}；${message}` : message;
    }
    return { ok: false, values, fields, summary: translate(lang, 'page.approval.apply.uploadRefused'), status: 400 };
  }
  const token = formText(request.body, '_submission');
  // The form's token stands for the Idempotency-Key a program would send.
  if (TOKEN.test(token)) request.headers['idempotency-key'] = `form-${token}`;
  let outcome: Awaited<ReturnType<typeof attempt<SubmitResult>>>;
  try {
    outcome = await attempt(lang, async () => (await idempotent(platform, request, actorOf(request), async (work) => ({ status: 201, body: await submitApplication(work, platform, principal, input) }))).body);
  } catch (error) {
    if (error instanceof AppError && error.code === 'IDEMPOTENCY_MISMATCH') {
      return { ok: false, values, fields: {}, summary: translate(lang, 'page.approval.apply.alreadySent'), status: 409, submission: submissionToken(platform) };
    }
    throw error;
  }
  if (outcome.ok) return { ok: true, result: outcome.value };
  const mapped: FieldMessages = {};
  let other = '';
  for (const e of outcome.error.fieldErrors ?? []) {
    const path = e.path.replace(/^body\./, '');
    const message = renderMessage(e.message, lang);
    let name: string | null = null;
    const byIndex = /^materials\.(\d+)\./.exec(path);
    const byKey = /^materials\.([a-z][a-z0-9_]*)$/.exec(path);
    if (byIndex) name = materials[Number(byIndex[1])] ? `file.${materials[Number(byIndex[1])].materialKey}` : null;
    else if (byKey) name = `file.${byKey[1]}`;
    else if (/^(applicant|form)\./.test(path)) name = path;
    if (name) mapped[name] = mapped[name] ? `${mapped[name]}；${message}` : message;
    else other = other ? `${other}；${message}` : message;
  }
  return { ok: false, values, fields: mapped, summary: [outcome.summary, other].filter(Boolean).join(' '), status: outcome.error.status };
}
