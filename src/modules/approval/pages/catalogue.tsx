/**
 * Catalogue management in the console: the list of items by status, the item page (versions,
 * the guide as citizens will see it, publish and withdraw) and the editor (item-editor.tsx).
 */
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf, notFound, renderMessage } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, Csrf, DataTable, EmptyState, formText, PageQueryFields, Pagination, redirect, SelectField, setFlash, withQuery, type FieldMessages } from '../../../platform/views/index.ts';
import type { ItemStatus } from '../model.ts';
import { CATALOGUE_PERMISSION, getItemFor, listItems, listItemVersions, mayManageUnit } from '../queries/items.ts';
import { createItem } from '../commands/create-item.ts';
import { editPublished } from '../commands/edit-published-item.ts';
import { publishItem } from '../commands/publish-item.ts';
import { updateDraft } from '../commands/update-draft.ts';
import { withdrawItem } from '../commands/withdraw-item.ts';
import { allUnits, unitNames } from './data.ts';
import { fromItem, newEditorValues, toItemInput } from './editor.ts';
import { dateOf, ItemCells, itemHead, ItemStatusTag, itemsCrumb } from './components.tsx';
import { Guide } from './guide.tsx';
import { CatalogueFiles } from './catalogue-files.tsx';
import { editorContext, handleEditor, renderEditor, unitOptions } from './item-editor.tsx';

const STATUSES: ItemStatus[] = ['published', 'draft', 'withdrawn', 'superseded'];
const IdParams = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });
const ListQuery = Strict({
  status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  /** Empty for every unit: what the filter's first choice sends. */
  unitId: Type.Optional(Type.String({ maxLength: 64 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
/** The editor posts many rows: more fields than the shared form schema allows. */
const EditorBody = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 5000 }), { maxItems: 200 })]), { maxProperties: 4000 });

// ---------------------------------------------------------------- routes

export async function cataloguePages(app: FastifyInstance, platform: Platform) {
  const auth = { auth: CATALOGUE_PERMISSION as `${string}.${string}` };

  app.get<{ Querystring: Static<typeof ListQuery> }>('/console/approval/items', { schema: { querystring: ListQuery }, config: auth }, async (request, reply) => {
    const status = request.query.status ?? 'draft';
    const q = request.query.q?.trim() || undefined;
    const unitId = request.query.unitId || undefined;
    const [page, choices] = await Promise.all([listItems(platform.db, request.principal, { status, q, unitId, cursor: request.query.cursor, limit: 20 }), allUnits(platform.db)]);
    const units = await unitNames(platform.db, page.items.map((i) => i.unitId));
    const unitName = choices.find((u) => u.id === unitId)?.name;
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.approval.items.title'),
      lead: ctx.t('page.approval.items.lead'),
      crumbs: [{ label: ctx.t('page.approval.items.title') }],
      body: (
        <>
          <p class="actions">
            <a class="button" href="/console/approval/items/new">
              {ctx.t('page.approval.editor.newTitle')}
            </a>
          </p>
          <nav aria-label={ctx.ta('page.approval.items.byStatus')}>
            <ul class="actions">
              {STATUSES.map((s) => (
                <li>
                  <a href={withQuery('/console/approval/items', {}, { status: s, q: q ?? null, unitId: unitId ?? null })} aria-current={s === status ? 'page' : undefined}>
                    {ctx.t(`page.approval.itemStatus.${s}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <form method="get" action="/console/approval/items" class="search-bar" role="search" aria-label={ctx.ta('page.approval.hall.search')}>
            <input type="hidden" name="status" value={attr(status)} />
            <div class="field">
              <label for="items-q">{ctx.t('page.approval.hall.q')}</label>
              <input class="input" id="items-q" name="q" type="search" value={attr(q)} maxlength="100" />
            </div>
            <SelectField ctx={ctx} form="items" name="unitId" label={ctx.ta('page.approval.guide.unit')} value={unitId ?? ''} options={unitOptions(choices, unitId ?? '')} placeholder={ctx.ta('page.approval.items.allUnits')} />
            <button type="submit" class="button">
              {ctx.t('page.approval.hall.searchButton')}
            </button>
          </form>
          {page.items.length ? (
            <>
              <DataTable
                id="items"
                caption={ctx.t('page.approval.items.caption', { status: ctx.ta(`page.approval.itemStatus.${status}`) })}
                head={[...itemHead(ctx), ctx.t('page.approval.guide.unit'), ctx.t('page.approval.items.updated')]}
              >
                {page.items.map((item) => (
                  <tr>
                    <ItemCells ctx={ctx} item={item} />
                    <td safe>{units.get(item.unitId) ?? ''}</td>
                    <td>{dateOf(item.updatedAt, ctx)}</td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.items.none')}</EmptyState>
          )}
          <CatalogueFiles ctx={ctx} unitId={unitId} unitName={unitName} />
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof PlainQuery> }>('/console/approval/items/new', { schema: { querystring: PlainQuery }, config: auth }, async (request, reply) => {
    const editor = await editorContext(platform, request, '/console/approval/items/new', false);
    return renderEditor(platform, request, reply, editor, { values: newEditorValues(editor.ownUnits[0]?.id ?? '') }, null);
  });

  app.post<{ Body: Static<typeof EditorBody> }>('/console/approval/items/new', { schema: { body: EditorBody }, config: auth }, async (request, reply) => {
    const editor = await editorContext(platform, request, '/console/approval/items/new', false);
    return handleEditor(platform, request, reply, editor, null, (input) => inTransaction(platform.db, actorOf(request), (work) => createItem(work, platform, request.principal, input)));
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/console/approval/items/:id', { schema: { params: IdParams, querystring: PlainQuery }, config: auth }, async (request, reply) => {
    const principal = request.principal!;
    const item = await getItemFor(platform.db, principal, request.params.id);
    const [versions, manages] = await Promise.all([listItemVersions(platform.db, principal, item.id), mayManageUnit(platform.db, principal, item.unitId)]);
    const units = await unitNames(platform.db, [item.unitId, ...item.process.stages.flatMap((s) => ('parallel' in s ? s.parallel : [s]).map((step) => step.unitId))]);
    const draft = versions.find((v) => v.status === 'draft');
    return renderConsole(platform, request, reply, (ctx) => ({
      title: <span safe>{item.name}</span>,
      lead: ctx.t('page.approval.items.itemLead', { code: item.code, version: item.version }),
      crumbs: [itemsCrumb(ctx), { label: Html.escapeHtml(item.name) }],
      body: (
        <>
          <section class="panel" aria-labelledby="item-status">
            <h2 id="item-status">{ctx.t('page.approval.items.status')}</h2>
            <p>
              <ItemStatusTag ctx={ctx} status={item.status} /> {ctx.t('page.approval.guide.version', { version: item.version })}
            </p>
            {manages ? (
              <ul class="actions">
                {item.status === 'draft' ? (
                  <>
                    <li>
                      <a class="button button-secondary" href={`/console/approval/items/${attr(item.id)}/edit`}>
                        {ctx.t('page.approval.editor.edit')}
                      </a>
                    </li>
                    <li>
                      <form method="post" action={`/console/approval/items/${attr(item.id)}/publish`} class="inline-form" data-confirm={ctx.ta('page.approval.items.publishConfirm')}>
                        <Csrf ctx={ctx} />
                        <input type="hidden" name="editVersion" value={String(item.editVersion)} />
                        <button type="submit" class="button">
                          {ctx.t('page.approval.items.publish')}
                        </button>
                      </form>
                    </li>
                  </>
                ) : draft ? (
                  <li>
                    <a href={`/console/approval/items/${attr(draft.id)}`}>{ctx.t('page.approval.items.toDraft', { version: draft.version })}</a>
                  </li>
                ) : (
                  <li>
                    <form method="post" action={`/console/approval/items/${attr(item.id)}/new-version`} class="inline-form">
                      <Csrf ctx={ctx} />
                      <button type="submit" class="button button-secondary">
                        {ctx.t('page.approval.items.newVersion')}
                      </button>
                    </form>
                  </li>
                )}
                {item.status === 'published' ? (
                  <>
                    <li>
                      <a href={`/services/items/${attr(item.id)}`}>{ctx.t('page.approval.items.onPortal')}</a>
                    </li>
                    <li>
                      <form method="post" action={`/console/approval/items/${attr(item.id)}/withdraw`} class="inline-form" data-confirm={ctx.ta('page.approval.items.withdrawConfirm')}>
                        <Csrf ctx={ctx} />
                        <button type="submit" class="button button-danger">
                          {ctx.t('page.approval.items.withdraw')}
                        </button>
                      </form>
                    </li>
                  </>
                ) : (
                  ''
                )}
              </ul>
            ) : (
              <p class="muted">{ctx.t('page.approval.items.readOnly')}</p>
            )}
          </section>
          <DataTable id="versions" caption={ctx.t('page.approval.items.versions')} head={[ctx.t('page.approval.items.version'), ctx.t('page.approval.items.status'), ctx.t('page.approval.items.published'), ctx.t('page.approval.items.updated')]}>
            {versions.map((version) => (
              <tr>
                <td>
                  {version.id === item.id ? (
                    <span aria-current="page">{ctx.t('page.approval.guide.version', { version: version.version })}</span>
                  ) : (
                    <a href={`/console/approval/items/${attr(version.id)}`}>{ctx.t('page.approval.guide.version', { version: version.version })}</a>
                  )}
                </td>
                <td>
                  <ItemStatusTag ctx={ctx} status={version.status} />
                </td>
                <td>{dateOf(version.publishedAt, ctx)}</td>
                <td>{dateOf(version.updatedAt, ctx)}</td>
              </tr>
            ))}
          </DataTable>
          <section class="panel" aria-labelledby="guide-preview">
            <h2 id="guide-preview">{ctx.t('page.approval.editor.previewTitle')}</h2>
            <Guide ctx={ctx} item={item} units={units} headingLevel={3} />
          </section>
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/console/approval/items/:id/edit', { schema: { params: IdParams, querystring: PlainQuery }, config: auth }, async (request, reply) => {
    const item = await getItemFor(platform.db, request.principal, request.params.id);
    if (!(await mayManageUnit(platform.db, request.principal, item.unitId))) throw notFound();
    if (item.status !== 'draft') return redirect(reply, `/console/approval/items/${item.id}`);
    const editor = await editorContext(platform, request, `/console/approval/items/${item.id}/edit`, item.version > 1);
    return renderEditor(platform, request, reply, editor, { values: fromItem(item), editVersion: item.editVersion }, item);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EditorBody> }>('/console/approval/items/:id/edit', { schema: { params: IdParams, body: EditorBody }, config: auth }, async (request, reply) => {
    const item = await getItemFor(platform.db, request.principal, request.params.id);
    if (!(await mayManageUnit(platform.db, request.principal, item.unitId))) throw notFound();
    const editor = await editorContext(platform, request, `/console/approval/items/${item.id}/edit`, item.version > 1);
    return handleEditor(platform, request, reply, editor, item, (input, editVersion) =>
      inTransaction(platform.db, actorOf(request), (work) => updateDraft(work, platform, request.principal, item.id, input, { editVersion })),
    );
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EditorBody> }>('/console/approval/items/:id/publish', { schema: { params: IdParams, body: EditorBody }, config: auth }, async (request, reply) => {
    const id = request.params.id;
    const editVersion = Number(formText(request.body, 'editVersion')) || undefined;
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => publishItem(work, platform, request.principal, id, { editVersion })));
    if (!result.ok) {
      // The draft cannot be published as it is: show why in the editor.
      const item = await getItemFor(platform.db, request.principal, id);
      if (item.status !== 'draft') {
        setFlash(reply, { kind: 'error', key: 'flash.approval.notPublished' });
        return redirect(reply, `/console/approval/items/${id}`);
      }
      const editor = await editorContext(platform, request, `/console/approval/items/${id}/edit`, item.version > 1);
      const converted = toItemInput(fromItem(item));
      const fields: FieldMessages = {};
      for (const e of result.error.fieldErrors ?? []) {
        const name = converted.fieldOf(e.path);
        const message = renderMessage(e.message, request.lang);
        fields[name] = fields[name] ? `${fields[name]}；${message}` : message;
      }
      return renderEditor(platform, request, reply, editor, { values: fromItem(item), editVersion: item.editVersion, fields, summary: result.summary, status: result.error.status }, item);
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.itemPublished', params: { name: result.value.name, version: result.value.version } });
    return redirect(reply, `/console/approval/items/${id}`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EditorBody> }>('/console/approval/items/:id/new-version', { schema: { params: IdParams, body: EditorBody }, config: auth }, async (request, reply) => {
    const opened = await inTransaction(platform.db, actorOf(request), (work) => editPublished(work, platform, request.principal, request.params.id));
    if (opened.created) setFlash(reply, { kind: 'info', key: 'flash.approval.draftOpened', params: { version: opened.item.version } });
    return redirect(reply, `/console/approval/items/${opened.item.id}/edit`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EditorBody> }>('/console/approval/items/:id/withdraw', { schema: { params: IdParams, body: EditorBody }, config: auth }, async (request, reply) => {
    const id = request.params.id;
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => withdrawItem(work, platform, request.principal, id)));
    if (!result.ok) {
      setFlash(reply, { kind: 'error', key: 'flash.approval.notWithdrawn' });
      return redirect(reply, `/console/approval/items/${id}`);
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.itemWithdrawn', params: { name: result.value.name } });
    return redirect(reply, `/console/approval/items/${id}`);
  });
}

