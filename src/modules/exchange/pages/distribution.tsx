/**
 * The send page (unit picker with groups, main and cc recipients, search by name; works without
 * script) and the form handlers of distribution: send, sign for, return, forward, recall, remind.
 * Each posts, then goes back to the document's page (or the inbox) with a message.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf, notFound } from '../../../platform/http/index.ts';
import { escapeLike } from '../../../platform/db/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, Csrf, FormBody, formList, formText, redirect, setFlash, type Flash } from '../../../platform/views/index.ts';
import { DRAFT_PERMISSION, RECEIVE_PERMISSION } from '../model.ts';
import { listGroups, orgDb } from '../groups.ts';
import { senderDocument } from '../queries/receipts.ts';
import { sendDocument } from '../commands/send-document.ts';
import { returnReceipt, signReceipt } from '../commands/sign-receipt.ts';
import { recallDocument, remindUnsigned } from '../commands/recall-document.ts';
import { forwardReceipt } from '../commands/forward-receipt.ts';
import { exchangeDb } from '../model.ts';
import { inboxPages } from './inbox.tsx';

const IdParams = Strict({ id: Id });
const SendQuery = Strict({ q: Type.Optional(Type.String({ maxLength: 50 })), lang: Type.Optional(Type.String({ maxLength: 10 })), display: Type.Optional(Type.String({ maxLength: 10 })) });
type FormRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };
const ids = (body: unknown, name: string) => formList(body, name).filter((v) => v.length > 0 && v.length <= 64).slice(0, 5000);

/** Runs a form's command in one transaction; a refusal comes back as a message on the page it leads to. */
async function formPost<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, target: string, run: (work: Work) => Promise<T>, done: (value: T) => Flash) {
  const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), run));
  setFlash(reply, result.ok ? done(result.value) : { kind: 'error', key: 'page.exchange.flash.failed', params: { message: result.summary } });
  return redirect(reply, target);
}

async function documentOfReceipt(platform: Platform, id: string): Promise<string> {
  const row = await exchangeDb(platform.db).selectFrom('exchange_receipts').select('document_id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row.document_id;
}

export async function distributionPages(app: FastifyInstance, platform: Platform) {
  await inboxPages(app, platform);

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof SendQuery> }>(
    '/console/exchange/documents/:id/send',
    { schema: { params: IdParams, querystring: SendQuery }, config: { auth: DRAFT_PERMISSION } },
    async (request, reply) => {
      const document = await senderDocument(platform.db, request.principal!, request.params.id);
      const groups = await listGroups(platform.db, document.sending_unit_id, (key) => translate(request.lang, key));
      const q = request.query.q?.trim() ?? '';
      const chosen = new Set([...document.main_recipient_ids, ...document.cc_recipient_ids]);
      let query = orgDb(platform.db).selectFrom('units').select(['id', 'name']).where('disabled_at', 'is', null).where('id', '<>', document.sending_unit_id);
      if (q) query = query.where('name', 'like', `%${escapeLike(q)}%`);
      const units = await query.orderBy('region_code').orderBy('name').limit(200).execute();
      const named = chosen.size ? await orgDb(platform.db).selectFrom('units').select(['id', 'name']).where('id', 'in', [...chosen]).execute() : [];
      const main = new Set(document.main_recipient_ids);
      return renderConsole(platform, request, reply, (ctx) => ({
        title: ctx.t('page.exchange.send.title'),
        lead: ctx.t('page.exchange.send.lead', { title: document.title }),
        crumbs: [{ href: '/console/exchange/documents', label: ctx.t('page.exchange.nav.documents') }, { label: ctx.t('page.exchange.send.title') }],
        body: (
          <>
            <form method="get" action={`/console/exchange/documents/${attr(document.id)}/send`} class="search-bar" role="search">
              <div class="field">
                <label for="unit-search">{ctx.t('page.exchange.send.search')}</label>
                <input class="input" id="unit-search" name="q" type="search" value={attr(q)} maxlength={50} />
              </div>
              <button type="submit" class="button button-secondary">
                {ctx.t('page.exchange.send.searchButton')}
              </button>
            </form>
            <form method="post" action={`/console/exchange/documents/${attr(document.id)}/send`} class="stack">
              <Csrf ctx={ctx} />
              <section aria-labelledby="send-fixed">
                <h2 id="send-fixed">{ctx.t('page.exchange.send.fixed')}</h2>
                {named.length ? (
                  <ul>
                    {named.map((u) => (
                      <li>
                        {Html.escapeHtml(u.name)}（{ctx.t(`page.exchange.copyKind.${main.has(u.id) ? 'main' : 'cc'}`)}）
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p class="muted">{ctx.t('page.exchange.send.noneFixed')}</p>
                )}
              </section>
              <fieldset class="fieldset">
                <legend>{ctx.t('page.exchange.send.groups')}</legend>
                {groups.map((g) => (
                  <label class="checkbox">
                    <input type="checkbox" name="groupIds" value={attr(g.id)} /> {Html.escapeHtml(g.name)}
                    <span class="muted">{ctx.t('page.exchange.send.groupSize', { count: g.unitIds.length })}</span>
                  </label>
                ))}
              </fieldset>
              <div class="table-wrap" role="region" aria-labelledby="send-units" tabindex="0">
                <table class="table">
                  <caption id="send-units">{ctx.t('page.exchange.send.units', { count: units.length })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{ctx.t('page.exchange.receipts.unit')}</th>
                      <th scope="col">{ctx.t('page.exchange.copyKind.main')}</th>
                      <th scope="col">{ctx.t('page.exchange.copyKind.cc')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {units.map((u) => (
                      <tr>
                        <td safe>{u.name}</td>
                        <td>
                          <input type="checkbox" name="main" value={attr(u.id)} aria-label={ctx.ta('page.exchange.send.asMain', { name: u.name })} />
                        </td>
                        <td>
                          <input type="checkbox" name="cc" value={attr(u.id)} aria-label={ctx.ta('page.exchange.send.asCc', { name: u.name })} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <button type="submit" class="button button-primary">
                {ctx.t('page.exchange.send.button')}
              </button>
            </form>
          </>
        ),
      }));
    },
  );

  const documentPage = (id: string) => `/console/exchange/documents/${encodeURIComponent(id)}`;

  app.post<FormRoute>('/console/exchange/documents/:id/send', { schema: { params: IdParams, body: FormBody }, config: { auth: DRAFT_PERMISSION } }, async (request, reply) => {
    const { id } = request.params;
    const input = { groupIds: ids(request.body, 'groupIds'), addMain: ids(request.body, 'main'), addCc: ids(request.body, 'cc') };
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => sendDocument(work, platform, request.principal!, id, input)));
    if (!result.ok) {
      setFlash(reply, { kind: 'error', key: 'page.exchange.flash.failed', params: { message: result.summary } });
      return redirect(reply, `${documentPage(id)}/send`);
    }
    setFlash(reply, { kind: 'success', key: 'page.exchange.flash.sent', params: { count: result.value.sentTo } });
    return redirect(reply, documentPage(id));
  });

  const back = async (request: FastifyRequest<FormRoute>) => (formText(request.body, 'returnTo') === 'inbox' ? '/console/exchange/inbox' : documentPage(await documentOfReceipt(platform, request.params.id)));

  app.post<FormRoute>('/console/exchange/receipts/:id/sign', { schema: { params: IdParams, body: FormBody }, config: { auth: RECEIVE_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, await back(request), (work) => signReceipt(work, platform, request.principal!, request.params.id), () => ({ kind: 'success', key: 'page.exchange.flash.signed' })),
  );
  app.post<FormRoute>('/console/exchange/receipts/:id/return', { schema: { params: IdParams, body: FormBody }, config: { auth: RECEIVE_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      await back(request),
      (work) => returnReceipt(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason').slice(0, 500) }),
      () => ({ kind: 'success', key: 'page.exchange.flash.returned' }),
    ),
  );
  app.post<FormRoute>('/console/exchange/receipts/:id/forward', { schema: { params: IdParams, body: FormBody }, config: { auth: RECEIVE_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      await back(request),
      (work) => forwardReceipt(work, platform, request.principal!, request.params.id, { unitIds: ids(request.body, 'unitIds') }),
      (value) => ({ kind: 'success', key: 'page.exchange.flash.forwarded', params: { count: value.sentTo } }),
    ),
  );
  app.post<FormRoute>('/console/exchange/documents/:id/recall', { schema: { params: IdParams, body: FormBody }, config: { auth: DRAFT_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      documentPage(request.params.id),
      (work) => recallDocument(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason').slice(0, 500) }),
      () => ({ kind: 'success', key: 'page.exchange.flash.recalled' }),
    ),
  );
  app.post<FormRoute>('/console/exchange/documents/:id/remind', { schema: { params: IdParams, body: FormBody }, config: { auth: DRAFT_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      documentPage(request.params.id),
      (work) => remindUnsigned(work, platform, request.principal!, request.params.id),
      (value) => ({ kind: 'success', key: 'page.exchange.flash.reminded', params: { count: value.reminded } }),
    ),
  );
}
