/**
 * The catalogue as files in the console: links to the API's export (Excel or JSON, published
 * items or the caller's drafts), an empty Excel template, and the import page, which posts one
 * .xlsx or .json file and shows either what was imported or every problem with its place in the
 * file (nothing is imported then).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static } from '@sinclair/typebox';
import { AppError, Strict, actorOf, renderMessage, type FieldError } from '../../../platform/http/index.ts';
import { ALLOWED_TYPES, contentDisposition } from '../../../platform/files/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attr, Csrf, DataTable, ErrorSummary, FormBody, formText, Notice, PageQueryFields, type ViewContext } from '../../../platform/views/index.ts';
import { CATALOGUE_PERMISSION, unitNameResolver } from '../queries/items.ts';
import { IMPORT_MAX_BYTES, importCatalogue, jsonImportEntries, type ImportEntry, type ImportResult } from '../commands/import-catalogue.ts';
import { readCatalogueWorkbook, SHEET_NAMES } from '../catalogue-excel.ts';
import { writeCatalogueWorkbook } from '../catalogue-excel-write.ts';
import { ExportQuery, sendCatalogueExport } from '../catalogue-routes.ts';
import { Checkbox, FileField, ItemCells, itemHead, itemsCrumb } from './components.tsx';
import { formFileInMemory, type MemoryFile } from './uploads.ts';

export const IMPORT_PATH = '/console/approval/catalogue/import';
const TEMPLATE_PATH = '/console/approval/catalogue/template';
const EXPORT_PATH = '/console/approval/catalogue/export';
const FORM = 'import';
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const PlainQuery = Strict({ ...PageQueryFields });
const ConsoleExportQuery = Strict({ ...ExportQuery.properties, ...PageQueryFields });

type ExportStatus = 'published' | 'draft';
type ExportFormat = 'xlsx' | 'json';

/** The console's copy of the API's export: a signed-out browser is sent to the sign-in page, not given a JSON 401. */
export function exportHref(format: ExportFormat, status: ExportStatus, unitId?: string): string {
  const query = new URLSearchParams({ format, status });
  if (unitId) query.set('unitId', unitId);
  return `${EXPORT_PATH}?${query.toString()}`;
}

/** The list page's panel: download the catalogue (of the unit the list shows, if one) and go to the import page. */
export function CatalogueFiles({ ctx, unitId, unitName }: { ctx: ViewContext; unitId?: string; unitName?: string }) {
  const downloads: Array<[ExportStatus, ExportFormat]> = [
    ['published', 'xlsx'],
    ['published', 'json'],
    ['draft', 'xlsx'],
    ['draft', 'json'],
  ];
  return (
    <section class="panel" aria-labelledby="catalogue-files">
      <h2 id="catalogue-files">{ctx.t('page.approval.export.title')}</h2>
      <p>{unitName ? ctx.t('page.approval.export.leadUnit', { unit: unitName }) : ctx.t('page.approval.export.lead')}</p>
      <ul class="actions">
        {downloads.map(([status, format]) => (
          <li>
            <a href={attr(exportHref(format, status, unitId))} download="">
              {ctx.t(`page.approval.export.${status}.${format}`)}
            </a>
          </li>
        ))}
        <li>
          <a class="button button-secondary" href={IMPORT_PATH}>
            {ctx.t('page.approval.import.title')}
          </a>
        </li>
      </ul>
    </section>
  );
}

// ---------------------------------------------------------------- the import page

interface Problem {
  where: string;
  message: string;
}

interface ImportState {
  publish: boolean;
  filename?: string;
  /** What is wrong with the file as a whole (none, empty, not a catalogue, too large). */
  fileError?: string;
  summary?: string;
  problems?: Problem[];
  done?: { result: ImportResult; names: string[] };
  status?: number;
}

const megabytes = (bytes: number) => Math.floor(bytes / (1024 * 1024));

function FormatHelp({ ctx }: { ctx: ViewContext }) {
  const t = (key: string) => ctx.t(`page.approval.import.${key}`);
  return (
    <section class="panel" aria-labelledby="import-format">
      <h2 id="import-format">{t('formatTitle')}</h2>
      <p>{t('formatXlsx')}</p>
      <ul>
        {(['items', 'materials', 'process', 'readme'] as const).map((sheet) => (
          <li>
            <strong>{SHEET_NAMES[sheet]}</strong>
            {ctx.t('ui.colon')}
            {t(`sheet.${sheet}`)}
          </li>
        ))}
      </ul>
      <p>{t('formatJson')}</p>
      <p>{t('versions')}</p>
      <ul class="actions">
        <li>
          <a href={TEMPLATE_PATH} download="">
            {t('template')}
          </a>
        </li>
        <li>
          <a href={attr(exportHref('xlsx', 'published'))} download="">
            {t('current')}
          </a>
        </li>
      </ul>
    </section>
  );
}

function ProblemTable({ ctx, problems, filename }: { ctx: ViewContext; problems: Problem[]; filename?: string }) {
  return (
    <DataTable id="import-problems" caption={ctx.t('page.approval.import.problemsCaption', { file: filename ?? '' })} head={[ctx.t('page.approval.import.where'), ctx.t('page.approval.import.problem')]}>
      {problems.map((p) => (
        <tr>
          <td class="mono" safe>
            {p.where}
          </td>
          <td safe>{p.message}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function ImportDone({ ctx, done }: { ctx: ViewContext; done: NonNullable<ImportState['done']> }) {
  const { result, names } = done;
  return (
    <>
      <Notice kind="success" title={ctx.t('page.approval.import.done', { total: result.items.length, created: result.created, updated: result.updated, published: result.published })} />
      <DataTable id="import-result" caption={ctx.t('page.approval.import.resultCaption')} head={itemHead(ctx)}>
        {result.items.map((item, i) => (
          <tr>
            <ItemCells ctx={ctx} item={{ ...item, name: names[i] || item.code }} />
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function ImportForm({ ctx, state }: { ctx: ViewContext; state: ImportState }) {
  const t = (key: string, params?: Record<string, unknown>) => ctx.ta(`page.approval.import.${key}`, params);
  return (
    <form method="post" action={IMPORT_PATH} enctype="multipart/form-data" class="form" novalidate>
      {/* The token goes before the file: only a form that carries it has its file read. */}
      <Csrf ctx={ctx} />
      <FileField ctx={ctx} form={FORM} name="file" label={t('file')} hint={t('fileHint', { mb: megabytes(IMPORT_MAX_BYTES) })} error={state.fileError} accept=".xlsx,.json" required />
      <Checkbox form={FORM} name="publish" label={t('publish')} hint={t('publishHint')} checked={state.publish} />
      <button type="submit" class="button">
        {ctx.t('page.approval.import.submit')}
      </button>
    </form>
  );
}

function renderImport(platform: Platform, request: FastifyRequest, reply: FastifyReply, state: ImportState) {
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.approval.import.title'),
    lead: ctx.t('page.approval.import.lead'),
    crumbs: [itemsCrumb(ctx), { label: ctx.t('page.approval.import.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form={FORM} summary={state.summary} fields={state.fileError ? { file: state.fileError } : undefined} labels={{ file: ctx.ta('page.approval.import.file') }} />
        {state.problems?.length ? <ProblemTable ctx={ctx} problems={state.problems} filename={state.filename} /> : ''}
        {state.done ? <ImportDone ctx={ctx} done={state.done} /> : ''}
        <FormatHelp ctx={ctx} />
        <ImportForm ctx={ctx} state={state} />
      </>
    ),
  }));
}

// ---------------------------------------------------------------- reading and importing

type ReadFile = { format: ExportFormat; entries: ImportEntry[]; readErrors?: FieldError[] } | { refused: string };

/** The entries of an .xlsx workbook or a JSON export, decided from the content, not from the name. */
async function readImportFile(platform: Platform, request: FastifyRequest, data: Buffer): Promise<ReadFile> {
  if (data.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    const { entries, errors } = await readCatalogueWorkbook(data, unitNameResolver(platform.db, request.principal));
    return { format: 'xlsx', entries, readErrors: errors };
  }
  const text = data.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) return { refused: 'notCatalogue' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { refused: 'jsonMalformed' };
  }
  const items = !Array.isArray(parsed) && parsed && typeof parsed === 'object' ? (parsed as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return { refused: 'jsonShape' };
  return { format: 'json', entries: jsonImportEntries(items) };
}

/** A file-level refusal: a message at the file input. */
function refusedFile(request: FastifyRequest, publish: boolean, key: string, status: number): ImportState {
  return { publish, fileError: renderMessage({ key: `page.approval.import.${key}`, params: { mb: megabytes(IMPORT_MAX_BYTES) } }, request.lang), status };
}

const placeOf = (request: FastifyRequest, path: string) => (path === 'file' || path === 'items' ? renderMessage({ key: 'page.approval.import.whereFile' }, request.lang) : path);

async function importFile(platform: Platform, request: FastifyRequest, file: MemoryFile | null, publish: boolean): Promise<ImportState> {
  if (!file) return refusedFile(request, publish, 'noFile', 400);
  if ('error' in file) return { publish, fileError: file.error.toProblem(request.lang).detail, status: file.error.status };
  if (file.data.length === 0) return refusedFile(request, publish, 'emptyFile', 400);
  const read = await readImportFile(platform, request, file.data);
  if ('refused' in read) return refusedFile(request, publish, read.refused, read.refused === 'notCatalogue' ? 415 : 400);
  try {
    const result = await importCatalogue(platform, request.principal, actorOf(request), read.entries, { publish, readErrors: read.readErrors, format: read.format });
    // Nothing was refused, so the result lists the entries in the file's order.
    const names = read.entries.map((e) => String((e.value as { name?: unknown }).name ?? ''));
    return { publish, filename: file.filename, done: { result, names } };
  } catch (error) {
    if (!(error instanceof AppError) || !['IMPORT_FAILED', 'CONFLICT'].includes(error.code)) throw error;
    const problems = (error.fieldErrors ?? []).map((e) => ({ where: placeOf(request, e.path), message: renderMessage(e.message, request.lang) }));
    const summary = problems.length ? renderMessage({ key: 'page.approval.import.refused', params: { count: problems.length } }, request.lang) : error.toProblem(request.lang).detail;
    return { publish, filename: file.filename, summary, problems, status: error.status };
  }
}

// ---------------------------------------------------------------- routes

export async function catalogueFilePages(app: FastifyInstance, platform: Platform) {
  const auth = CATALOGUE_PERMISSION as `${string}.${string}`;

  app.get<{ Querystring: Static<typeof PlainQuery> }>(IMPORT_PATH, { schema: { querystring: PlainQuery }, config: { auth } }, async (request, reply) => renderImport(platform, request, reply, { publish: false }));

  app.post<{ Body: Static<typeof FormBody> }>(IMPORT_PATH, { schema: { body: FormBody }, config: { auth, formFileBytes: IMPORT_MAX_BYTES } }, async (request, reply) => {
    const publish = formText(request.body, 'publish') === 'on';
    return renderImport(platform, request, reply, await importFile(platform, request, formFileInMemory(request), publish));
  });

  app.get<{ Querystring: Static<typeof ConsoleExportQuery> }>(EXPORT_PATH, { schema: { querystring: ConsoleExportQuery }, config: { auth } }, async (request, reply) => sendCatalogueExport(platform, request, reply));

  app.get<{ Querystring: Static<typeof PlainQuery> }>(TEMPLATE_PATH, { schema: { querystring: PlainQuery }, config: { auth } }, async (_request, reply) => {
    const workbook = await writeCatalogueWorkbook([], new Map());
    return reply.type(ALLOWED_TYPES.xlsx.mime).header('Content-Disposition', contentDisposition('事项目录模板.xlsx')).send(workbook);
  });
}
