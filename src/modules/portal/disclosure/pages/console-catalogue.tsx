/**
 * The console's catalogue editor (公开目录): the unit's categories with their sub-categories, each
 * renamed, moved up or down, hidden or shown, or deleted while empty; a category or a sub-category
 * added at the end; and the editor of the unit's disclosure guide (公开指南).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf } from '../../../../platform/http/index.ts';
import { inTransaction } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import { renderConsole } from '../../../../platform/console/index.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import { attr, Csrf, ErrorSummary, FormBody, formText, PageQueryFields, PostButton, redirect, SelectField, setFlash, TextField, type FieldMessages, type ViewContext } from '../../../../platform/views/index.ts';
import { DISCLOSURE_PERMISSION, LIMITS } from '../model.ts';
import { categoryTree, type CategoryNode } from '../queries/catalogue.ts';
import { guideOf } from '../queries/guide.ts';
import { createCategory, deleteCategory, updateCategory } from '../commands/save-category.ts';
import { saveGuide } from '../commands/save-guide.ts';
import { attemptForm, CONSOLE_BASE, TextArea } from './parts.tsx';
import { ownUnit } from './console-items.tsx';

const AUTH = DISCLOSURE_PERMISSION as `${string}.${string}`;
const PlainQuery = Strict({ ...PageQueryFields });
const IdParams = Strict({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const BASE = `${CONSOLE_BASE}/categories`;

function CategoryRow({ ctx, node, index, count, child }: { ctx: ViewContext; node: CategoryNode; index: number; count: number; child: boolean }) {
  const action = `${BASE}/${node.id}`;
  return (
    <li class="panel">
      <form method="post" action={attr(action)} class="form-row">
        <Csrf ctx={ctx} />
        <input type="hidden" name="action" value="rename" />
        <TextField ctx={ctx} form={`category-${node.id}`} name="name" label={ctx.ta(child ? 'page.portalDisclosure.categories.subName' : 'page.portalDisclosure.categories.name')} value={node.name} maxlength={LIMITS.categoryName} />
        <button type="submit" class="button button-secondary button-small">
          {ctx.t('page.portalDisclosure.categories.rename')}
        </button>
      </form>
      <p class="muted">
        {ctx.t('page.portalDisclosure.categories.items', { count: node.itemCount })}
        {node.hidden ? <> · {ctx.t('page.portalDisclosure.categories.hidden')}</> : ''}
      </p>
      <div class="actions">
        {index > 0 ? <PostButton ctx={ctx} action={action} label={ctx.ta('page.portalDisclosure.categories.up')} fields={{ action: 'up' }} /> : ''}
        {index < count - 1 ? <PostButton ctx={ctx} action={action} label={ctx.ta('page.portalDisclosure.categories.down')} fields={{ action: 'down' }} /> : ''}
        <PostButton ctx={ctx} action={action} label={ctx.ta(node.hidden ? 'page.portalDisclosure.categories.show' : 'page.portalDisclosure.categories.hide')} fields={{ action: node.hidden ? 'show' : 'hide' }} />
        {node.itemCount === 0 && node.children.length === 0 ? <PostButton ctx={ctx} action={action} label={ctx.ta('page.portalDisclosure.categories.delete')} fields={{ action: 'delete' }} variant="danger" /> : ''}
      </div>
      {node.children.length ? (
        <ol>
          {node.children.map((c, i) => (
            <CategoryRow ctx={ctx} node={c} index={i} count={node.children.length} child />
          ))}
        </ol>
      ) : (
        ''
      )}
    </li>
  );
}

async function renderCategories(platform: Platform, request: FastifyRequest, reply: FastifyReply, unit: Unit, state: { values?: Record<string, string>; fields?: FieldMessages; summary?: string; status?: number } = {}) {
  const tree = await categoryTree(platform.db, unit.id, { publicOnly: false, now: platform.clock.now() });
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.portalDisclosure.categories.title'),
    lead: ctx.t('page.portalDisclosure.categories.lead', { unit: unit.name }),
    crumbs: [{ href: CONSOLE_BASE, label: ctx.t('page.portalDisclosure.items.title') }, { label: ctx.t('page.portalDisclosure.categories.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form="category-new" summary={state.summary} fields={state.fields} status={state.status} labels={{ name: ctx.ta('page.portalDisclosure.categories.name'), parentId: ctx.ta('page.portalDisclosure.categories.parent') }} />
        <section class="panel" aria-labelledby="add-title">
          <h2 id="add-title">{ctx.t('page.portalDisclosure.categories.add')}</h2>
          <form method="post" action={BASE} class="form-row">
            <Csrf ctx={ctx} />
            <TextField ctx={ctx} form="category-new" name="name" label={ctx.ta('page.portalDisclosure.categories.name')} value={state.values?.name} error={state.fields?.name} maxlength={LIMITS.categoryName} required />
            <SelectField ctx={ctx} form="category-new" name="parentId" label={ctx.ta('page.portalDisclosure.categories.parent')} value={state.values?.parentId ?? ''} placeholder={ctx.ta('page.portalDisclosure.categories.top')} options={tree.map((t) => ({ value: t.id, label: t.name }))} error={state.fields?.parentId} />
            <button type="submit" class="button">
              {ctx.t('page.portalDisclosure.categories.addButton')}
            </button>
          </form>
        </section>
        <ol class="message-list">
          {tree.map((node, i) => (
            <CategoryRow ctx={ctx} node={node} index={i} count={tree.length} child={false} />
          ))}
        </ol>
      </>
    ),
  }));
}

export async function consoleCataloguePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof PlainQuery> }>(BASE, { schema: { querystring: PlainQuery }, config: { auth: AUTH } }, async (request, reply) => renderCategories(platform, request, reply, await ownUnit(platform, request)));

  app.post<{ Body: Static<typeof FormBody> }>(BASE, { schema: { body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const unit = await ownUnit(platform, request);
    const values = { name: formText(request.body, 'name'), parentId: formText(request.body, 'parentId') };
    const result = await attemptForm(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => createCategory(work, platform, request.principal!, { unitId: unit.id, name: values.name, parentId: values.parentId || null })));
    if (!result.ok) return renderCategories(platform, request, reply, unit, { values, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.portalDisclosure.categories.added' });
    return redirect(reply, BASE);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(`${BASE}/:id`, { schema: { params: IdParams, body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const unit = await ownUnit(platform, request);
    const action = formText(request.body, 'action');
    const tree = await categoryTree(platform.db, unit.id, { publicOnly: false, now: platform.clock.now() });
    const siblings = tree.some((t) => t.id === request.params.id) ? tree : (tree.find((t) => t.children.some((c) => c.id === request.params.id))?.children ?? []);
    const index = siblings.findIndex((c) => c.id === request.params.id);
    const result = await attemptForm(request.lang, () =>
      inTransaction(platform.db, actorOf(request), async (work) => {
        const principal = request.principal!;
        if (action === 'delete') return deleteCategory(work, platform, principal, request.params.id);
        if (action === 'up' || action === 'down') return void (await updateCategory(work, platform, principal, request.params.id, { position: Math.max(0, index + (action === 'up' ? -1 : 1)) }));
        if (action === 'hide' || action === 'show') return void (await updateCategory(work, platform, principal, request.params.id, { hidden: action === 'hide' }));
        return void (await updateCategory(work, platform, principal, request.params.id, { name: formText(request.body, 'name') }));
      }),
    );
    if (!result.ok) return renderCategories(platform, request, reply, unit, { fields: {}, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.portalDisclosure.categories.saved' });
    return redirect(reply, BASE);
  });

  app.get<{ Querystring: Static<typeof PlainQuery> }>(`${CONSOLE_BASE}/guide`, { schema: { querystring: PlainQuery }, config: { auth: AUTH } }, async (request, reply) => renderGuide(platform, request, reply, await ownUnit(platform, request)));
  app.post<{ Body: Static<typeof FormBody> }>(`${CONSOLE_BASE}/guide`, { schema: { body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const unit = await ownUnit(platform, request);
    const body = String((request.body as Record<string, unknown>).body ?? '');
    const result = await attemptForm(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => saveGuide(work, platform, request.principal!, { unitId: unit.id, body })));
    if (!result.ok) return renderGuide(platform, request, reply, unit, { body, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.portalDisclosure.guide.saved' });
    return redirect(reply, `${CONSOLE_BASE}/guide`);
  });
}

async function renderGuide(platform: Platform, request: FastifyRequest, reply: FastifyReply, unit: Unit, state: { body?: string; fields?: FieldMessages; summary?: string; status?: number } = {}) {
  const guide = await guideOf(platform.db, unit, request.lang);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.portalDisclosure.guide.title'),
    lead: ctx.t(guide.custom ? 'page.portalDisclosure.guide.leadCustom' : 'page.portalDisclosure.guide.leadDefault'),
    crumbs: [{ href: CONSOLE_BASE, label: ctx.t('page.portalDisclosure.items.title') }, { label: ctx.t('page.portalDisclosure.guide.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form="guide" summary={state.summary} fields={state.fields} status={state.status} labels={{ body: ctx.ta('page.portalDisclosure.guide.body') }} />
        <form method="post" action={`${CONSOLE_BASE}/guide`} class="form form-wide">
          <Csrf ctx={ctx} />
          <TextArea ctx={ctx} form="guide" name="body" label={ctx.ta('page.portalDisclosure.guide.body')} hint={ctx.ta('page.portalDisclosure.guide.hint')} value={state.body ?? guide.body} error={state.fields?.body} rows={24} />
          <button type="submit" class="button">
            {ctx.t('page.portalDisclosure.form.save')}
          </button>{' '}
          <a href={attr(`/xxgk/${unit.id}/guide`)}>{ctx.t('page.portalDisclosure.form.viewPublic')}</a>
        </form>
      </>
    ),
  }));
}
