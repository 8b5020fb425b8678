/**
 * The console's documents of a unit (发文): the list by state, the compose and edit forms, and the
 * form handlers of 送签 and of a sign-off decision, which go back to the document's page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf, fieldError, invalid, notFound } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { getUnits, listUnits } from '../../../platform/org/service.ts';
import { listAttachedFiles } from '../../../platform/files/service.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, DataTable, EmptyRow, FormBody, formText, PageQueryFields, Pagination, redirect, setFlash, type ViewContext } from '../../../platform/views/index.ts';
import { ATTACHMENT_OWNER, DOCUMENT_STATES, DRAFT_PERMISSION, SIGNOFF_PERMISSION, type DocumentState } from '../model.ts';
import { formatWrittenDate } from '../elements.ts';
import { createDocument } from '../commands/create-document.ts';
import { updateDocument } from '../commands/update-document.ts';
import { submitDocument } from '../commands/submit-document.ts';
import { completeSignoffTask } from '../commands/complete-signoff.ts';
import { inputOfRow, type DocumentInput } from '../commands/document-input.ts';
import { getDocumentRow, listUnitDocuments, senderUnitIds, type DocumentListRow } from '../queries/documents.ts';
import { SIGNOFF_ACTIONS, type SignoffAction } from '../signoff.ts';
import { SignoffPanel, signoffPanelData } from './signoff-panel.tsx';
import { bodyForForm, checksOf, ComposeForm, ComposeFormBody, formInput, type ComposeState } from './compose.tsx';

const IdParams = Strict({ id: Id });
const ListPageQuery = Strict({ state: Type.Optional(Type.Union(DOCUMENT_STATES.map((s) => Type.Literal(s)))), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
/** The order of the list's sections: what still needs work first. */
const SECTION_ORDER: DocumentState[] = ['draft', 'in_signoff', 'signed_off', 'sent', 'recalled'];
const SECTION_SIZE = 10;
const MAX_UNITS = 1000;

function DocumentRows({ ctx, rows, id, caption }: { ctx: ViewContext; rows: DocumentListRow[]; id: string; caption: JSX.Element }) {
  return (
    <DataTable
      id={id}
      caption={caption}
      head={[ctx.t('page.exchange.documents.col.number'), ctx.t('page.exchange.documents.col.title'), ctx.t('page.exchange.documents.col.type'), ctx.t('page.exchange.documents.col.urgency'), ctx.t('page.exchange.documents.col.date'), ctx.t('page.exchange.documents.col.actions')]}
    >
      {rows.length ? (
        rows.map((d) => (
          <tr>
            <td safe>{d.doc_number}</td>
            <td>
              <a href={attr(`/console/exchange/documents/${d.id}`)} safe>
                {d.title}
              </a>
            </td>
            <td>{ctx.t(`exchange.docType.${d.doc_type}`)}</td>
            <td>{ctx.t(`exchange.urgency.${d.urgency}`)}</td>
            <td safe>{formatWrittenDate(d.written_date, ctx.lang)}</td>
            <td>
              {d.state === 'draft' && ctx.can(DRAFT_PERMISSION) ? (
                <a href={attr(`/console/exchange/documents/${d.id}/edit`)}>{ctx.t('page.exchange.documents.edit')}</a>
              ) : (
                <a href={attr(`/console/exchange/documents/${d.id}`)}>{ctx.t('page.exchange.documents.open')}</a>
              )}
            </td>
          </tr>
        ))
      ) : (
        <EmptyRow columns={6}>{ctx.t('page.exchange.documents.empty')}</EmptyRow>
      )}
    </DataTable>
  );
}

async function unitChoices(platform: Platform, principal: Principal) {
  const [all, own] = await Promise.all([listUnits(platform.db, { limit: MAX_UNITS }), senderUnitIds(platform.db, principal)]);
  const ownUnits = (await getUnits(platform.db, own)).map((u) => ({ id: u.id, name: u.name }));
  return { units: all.items.map((u) => ({ id: u.id, name: u.name })), ownUnits };
}

type Compose = Omit<ComposeState, 'units' | 'ownUnits' | 'attachments'>;

async function renderCompose(platform: Platform, request: FastifyRequest, reply: FastifyReply, state: Compose) {
  const { units, ownUnits } = await unitChoices(platform, request.principal!);
  const attachments = state.documentId ? (await listAttachedFiles(platform.db, { ownerType: ATTACHMENT_OWNER, ownerId: state.documentId })).map((f) => ({ id: f.id, name: f.name })) : [];
  const values = { ...state.values, issuingUnitId: state.values.issuingUnitId || ownUnits[0]?.id || '' };
  const editing = !!state.documentId;
  // A returned draft shows why it came back: the sign-off so far, every opinion.
  const signoff = state.documentId ? await signoffPanelData(platform, request.principal!, state.documentId) : null;
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t(editing ? 'page.exchange.compose.editTitle' : 'page.exchange.compose.newTitle'),
    lead: ctx.t('page.exchange.compose.lead'),
    crumbs: [{ href: '/console/exchange/documents', label: ctx.t('page.exchange.documents.title') }, { label: ctx.t(editing ? 'page.exchange.compose.editTitle' : 'page.exchange.compose.newTitle') }],
    status: state.status,
    body: (
      <>
        <ComposeForm ctx={ctx} state={{ ...state, values, units, ownUnits, attachments }} />
        {signoff?.history.length ? <SignoffPanel ctx={ctx} data={signoff} /> : ''}
      </>
    ),
  }));
}

/** The form's values as the commands take them. */
function commandInput(values: ReturnType<typeof formInput>): DocumentInput {
  return { ...values, ccRecipients: values.ccRecipients ?? [], attachments: values.attachments ?? [] } as DocumentInput;
}

/** A draft of the caller's unit, for its edit page; another unit's (or none) is 404. */
async function ownDocument(platform: Platform, principal: Principal, id: string) {
  const row = await getDocumentRow(platform.db, id);
  const own = row ? await senderUnitIds(platform.db, principal) : [];
  if (!row || !own.includes(row.sending_unit_id)) throw notFound();
  return row;
}

export async function documentsPages(app: FastifyInstance, platform: Platform) {
  const draft = { auth: DRAFT_PERMISSION } as const;

  app.get<{ Querystring: Static<typeof ListPageQuery> }>('/console/exchange/documents', { schema: { querystring: ListPageQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const principal = request.principal!;
    const state = request.query.state;
    const sections = state
      ? [{ state, page: await listUnitDocuments(platform.db, principal, { state, limit: 20, cursor: request.query.cursor }) }]
      : await Promise.all(SECTION_ORDER.map(async (s) => ({ state: s, page: await listUnitDocuments(platform.db, principal, { state: s, limit: SECTION_SIZE }) })));
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.exchange.documents.title'),
      lead: ctx.t('page.exchange.documents.lead'),
      crumbs: [{ label: ctx.t('page.exchange.documents.title') }],
      body: (
        <>
          {ctx.can(DRAFT_PERMISSION) ? (
            <ul class="actions">
              <li>
                <a class="button" href="/console/exchange/documents/new">
                  {ctx.t('page.exchange.documents.compose')}
                </a>
              </li>
            </ul>
          ) : (
            ''
          )}
          {sections.map(({ state: s, page }) => (
            <section class="panel" aria-labelledby={`documents-${s}`}>
              <h2 id={`documents-${s}`}>{ctx.t(`exchange.state.${s}`)}</h2>
              <DocumentRows ctx={ctx} rows={page.items} id={`documents-${s}-table`} caption={ctx.t(`exchange.state.${s}`)} />
              {state ? (
                <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
              ) : page.nextCursor ? (
                <p>
                  <a href={attr(`/console/exchange/documents?state=${s}`)}>{ctx.t('page.exchange.documents.more')}</a>
                </p>
              ) : (
                ''
              )}
            </section>
          ))}
        </>
      ),
    }));
  });

  app.get('/console/exchange/documents/new', { config: draft }, async (request, reply) => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(platform.clock.now());
    return renderCompose(platform, request, reply, { action: '/console/exchange/documents', values: { body: '', secrecy: 'none', urgency: 'normal', docType: 'notice', writtenDate: today } });
  });

  app.post<{ Body: Static<typeof ComposeFormBody> }>('/console/exchange/documents', { schema: { body: ComposeFormBody }, config: draft }, async (request, reply) => {
    const values = formInput(request.body);
    values.issuingUnitId ||= (await senderUnitIds(platform.db, request.principal!))[0] ?? '';
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => createDocument(work, platform, request.principal!, commandInput(values))));
    if (!result.ok) return renderCompose(platform, request, reply, { action: '/console/exchange/documents', values, summary: result.summary, fields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.exchange.saved' });
    return redirect(reply, `/console/exchange/documents/${result.value.id}/edit`);
  });

  app.post<{ Body: Static<typeof ComposeFormBody> }>('/console/exchange/documents/check', { schema: { body: ComposeFormBody }, config: draft }, async (request, reply) => {
    const values = formInput(request.body);
    const id = /^\/console\/exchange\/documents\/([^/]+)\/edit$/.exec(formText(request.body, '_action'))?.[1];
    return renderCompose(platform, request, reply, { action: id ? `/console/exchange/documents/${id}/edit` : '/console/exchange/documents', documentId: id, values, problems: checksOf(values, request.lang) });
  });

  app.get<{ Params: Static<typeof IdParams> }>('/console/exchange/documents/:id/edit', { schema: { params: IdParams }, config: draft }, async (request, reply) => {
    const row = await ownDocument(platform, request.principal!, request.params.id);
    if (row.state !== 'draft') return redirect(reply, `/console/exchange/documents/${row.id}`);
    const values = { ...inputOfRow(row), body: bodyForForm(row.body), attachments: [] };
    return renderCompose(platform, request, reply, { action: `/console/exchange/documents/${row.id}/edit`, documentId: row.id, values });
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ComposeFormBody> }>('/console/exchange/documents/:id/edit', { schema: { params: IdParams, body: ComposeFormBody }, config: draft }, async (request, reply) => {
    const id = request.params.id;
    const { issuingUnitId: _unit, ...values } = formInput(request.body);
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => updateDocument(work, platform, request.principal!, id, commandInput({ ...values, issuingUnitId: '' }) as never)));
    if (!result.ok) return renderCompose(platform, request, reply, { action: `/console/exchange/documents/${id}/edit`, documentId: id, values: formInput(request.body), summary: result.summary, fields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.exchange.saved' });
    return redirect(reply, `/console/exchange/documents/${id}/edit`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/exchange/documents/:id/submit', { schema: { params: IdParams, body: FormBody }, config: draft }, async (request, reply) => {
    const id = request.params.id;
    const opinion = formText(request.body, 'opinion') || undefined;
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => submitDocument(work, platform, request.principal!, id, opinion)));
    if (!result.ok) {
      const row = await getDocumentRow(platform.db, id);
      if (row && row.state === 'draft') {
        return renderCompose(platform, request, reply, { action: `/console/exchange/documents/${id}/edit`, documentId: id, values: { ...inputOfRow(row), body: bodyForForm(row.body), attachments: [] }, summary: result.summary, fields: result.fields, status: result.error.status });
      }
      setFlash(reply, { kind: 'error', key: 'flash.exchange.notDone', params: { reason: result.summary } });
      return redirect(reply, `/console/exchange/documents/${id}`);
    }
    setFlash(reply, { kind: 'success', key: 'flash.exchange.submitted' });
    return redirect(reply, `/console/exchange/documents/${id}`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/exchange/documents/:id/signoff', { schema: { params: IdParams, body: FormBody }, config: { auth: SIGNOFF_PERMISSION } }, async (request, reply) => {
    const id = request.params.id;
    const action = formText(request.body, 'action');
    const taskId = formText(request.body, 'taskId');
    const opinion = formText(request.body, 'opinion') || undefined;
    const result = await attempt(request.lang, async () => {
      if (!(SIGNOFF_ACTIONS as readonly string[]).includes(action)) throw invalid([fieldError('action', 'exchange.signoff.actionRequired')]);
      return inTransaction(platform.db, actorOf(request), (work) => completeSignoffTask(work, platform, request.principal!, taskId, { action: action as SignoffAction, opinion }));
    });
    if (!result.ok) setFlash(reply, { kind: 'error', key: 'flash.exchange.notDone', params: { reason: Object.values(result.fields)[0] ?? result.summary } });
    else setFlash(reply, { kind: 'success', key: result.value.state === 'signed_off' ? 'flash.exchange.signedOff' : action === 'return' ? 'flash.exchange.returned' : 'flash.exchange.agreed' });
    return redirect(reply, `/console/exchange/documents/${id}`);
  });
}
