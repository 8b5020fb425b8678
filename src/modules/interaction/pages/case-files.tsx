/**
 * A case's files: the writer's attachments and the answer documents as lists of downloads (on the
 * staff's case page through the files module, whose fileAccess policy lets the units the case is or
 * was with have them; on the writer's letter page through that page), and the answer form's file
 * input with the documents of an earlier draft kept by default.
 */
import Html from '@kitajs/html';
import type { FastifyRequest } from 'fastify';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { attr, type ViewContext } from '../../../platform/views/index.ts';
import { fieldError, invalid, type FieldError } from '../../../platform/http/index.ts';
import { recordUpload } from '../../../platform/files/index.ts';
import { translate, type Lang } from '../../../platform/i18n/index.ts';
import { MAX_ANSWER_FILES, MAX_LETTER_FILES } from '../model.ts';
import { stagedLetterFiles, type StagedLetterFile } from './letter-uploads.ts';

export interface CaseFile {
  id: string;
  name: string;
  size: number;
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** A list of files, each a download (by default through the files module); nothing when there are none. */
export function CaseFiles({ ctx, files, titleKey, id, href = (file) => `/api/v1/files/${file.id}` }: { ctx: ViewContext; files: CaseFile[]; titleKey: string; id: string; href?: (file: CaseFile) => string }) {
  if (!files.length) return '';
  return (
    <>
      <h3 id={id}>{ctx.t(titleKey)}</h3>
      <ul class="file-list" aria-labelledby={id}>
        {files.map((file) => (
          <li>
            <a href={attr(href(file))}>
              <bdi>{Html.escapeHtml(file.name)}</bdi>
            </a>{' '}
            <span class="muted" safe>
              {`（${sizeText(file.size)}）`}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The answer form's documents: those of the draft (kept unless unticked) and a file input for more. */
export function AnswerFilesField({ ctx, kept }: { ctx: ViewContext; kept: CaseFile[] }) {
  return (
    <div class="field">
      <label class="label" for="answer-files">
        {ctx.t('page.interaction.case.answerFiles')}
      </label>
      <p class="field-hint" id="answer-files-hint">
        {ctx.t('page.interaction.case.answerFilesHint')}
      </p>
      {kept.map((file) => (
        <label class="checkbox">
          <input type="checkbox" name="keepFiles" value={attr(file.id)} checked /> <bdi>{Html.escapeHtml(file.name)}</bdi>
        </label>
      ))}
      <input class="input" type="file" id="answer-files" name="answerFiles" multiple aria-describedby="answer-files-hint" />
    </div>
  );
}

/** What is wrong with a form's files: too many, or refused ones with the reason; every problem at once. */
export function fileErrors(files: StagedLetterFile[], field: string, max = MAX_LETTER_FILES): FieldError[] {
  const errors: FieldError[] = [];
  if (files.length > max) errors.push(fieldError(field, 'interaction.attachments.tooMany', { max }));
  for (const file of files) {
    if (!('error' in file)) continue;
    const reason = (lang: Lang) => translate(lang, 'interaction.attachments.refused', { name: file.name, reason: file.error.toProblem(lang).detail });
    errors.push({ path: field, message: { 'zh-CN': reason('zh-CN'), en: reason('en') } });
  }
  return errors;
}

/**
 * The answer documents of a posted answer form: the kept ones, and the new files recorded as the
 * caller's uploads in the caller's unit of work (draftAnswer then attaches them).
 */
export async function answerFilesOf(work: Work, platform: Platform, request: FastifyRequest): Promise<string[]> {
  const staged = stagedLetterFiles(request);
  const errors = fileErrors(staged, 'answerFiles', MAX_ANSWER_FILES);
  if (errors.length) throw invalid(errors);
  const raw = (request.body as Record<string, unknown> | undefined)?.keepFiles;
  const kept = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string' && v.length <= 64);
  const fresh: string[] = [];
  for (const file of staged) if ('prepared' in file) fresh.push((await recordUpload(work, platform, file.prepared, { uploadedBy: request.principal!.userId })).id);
  return [...kept, ...fresh];
}
