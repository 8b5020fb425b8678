/**
 * The citizen's own area (我的): 我的办件 (one case's page: citizen.tsx), certificates, ratings
 * (好差评) and complaints, the rating of a decided case, and the rating page the SMS link opens
 * without signing in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyRow,
  EmptyState,
  ErrorSummary,
  FormBody,
  formText,
  Notice,
  PageHeading,
  PageQueryFields,
  Pagination,
  redirect,
  SelectField,
  setFlash,
  type FieldMessages,
  type ViewContext,
} from '../../../platform/views/index.ts';
import { listComplaints } from '../../supervision/index.ts';
import { myCases, myCertificates, myRatings, myRecentCases } from '../queries/me.ts';
import { listMyApplications } from '../application-views.ts';
import { rateByInvitation, rateOwnCase } from '../commands/rate-case.ts';
import { complainAboutOwnCase } from '../commands/file-complaint.ts';
import { invitationOf } from '../rating-invitations.ts';
import { q, loadItems } from '../queries/cases.ts';
import { dateOf, ServiceNav, StateTag, TextArea } from './components.tsx';
import { levelOf, MineNav, RatingForm, type RatingState } from './mine-parts.tsx';
import { renderMyCase } from './citizen.tsx';

const IdParams = Strict({ id: Id });
const TokenParams = Strict({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const MineQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
const ListQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
const ComplaintQuery = Strict({ case: Type.Optional(Id), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

const hallCrumb = (ctx: ViewContext) => ({ href: '/services', label: ctx.t('page.approval.hall.title') });

/** A rating posted from a form: the score as a number when it is one of the five levels. */
function ratingInput(lang: FastifyRequest['lang'], body: Static<typeof FormBody>) {
  const raw = formText(body, 'score');
  const comment = formText(body, 'comment').slice(0, 2000);
  const score = /^[1-5]$/.test(raw) ? Number(raw) : null;
  const fields: FieldMessages = {};
  if (score === null) fields.score = translate(lang, 'page.approval.rating.chooseScore');
  return { score, comment, fields, state: { score: raw, comment } };
}

// ---------------------------------------------------------------- the rating page of the SMS link

async function linkPage(platform: Platform, request: FastifyRequest, reply: FastifyReply, token: string, state: RatingState & { status?: number; done?: number } = {}) {
  const shown = await attempt(request.lang, () => invitationOf(platform, token));
  let heading: { receiptNo: string; itemName: string } | null = null;
  if (shown.ok) {
    const app = await q(platform.db).selectFrom('approval_applications').select(['receipt_no', 'item_id']).where('id', '=', shown.value.application_id).executeTakeFirstOrThrow();
    heading = { receiptNo: app.receipt_no, itemName: (await loadItems(platform.db, [app.item_id])).get(app.item_id)?.name ?? '' };
  }
  return renderPortal(request, reply, (ctx) => ({
    title: ctx.t('page.approval.rating.linkTitle'),
    crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.rating.linkTitle') }],
    status: state.status ?? (shown.ok || state.done ? undefined : shown.error.status),
    body: (
      <>
        <PageHeading title={ctx.t('page.approval.rating.linkTitle')} lead={heading ? ctx.t('page.approval.rating.linkLead', heading) : undefined} />
        {state.done ? (
          <Notice kind="success" title={ctx.t('page.approval.rating.thanks')}>
            <p>{ctx.t(state.done <= 2 ? 'page.approval.rating.thanksBad' : 'page.approval.rating.thanksText')}</p>
          </Notice>
        ) : shown.ok ? (
          <section class="panel" aria-labelledby="rating-title">
            <h2 id="rating-title">{ctx.t('page.approval.rating.title')}</h2>
            <p>{ctx.t('page.approval.rating.lead')}</p>
            <RatingForm ctx={ctx} action={`/services/rate/${token}`} state={state} />
          </section>
        ) : (
          <Notice kind="warning" title={ctx.t('page.approval.rating.linkInvalid')}>
            <p safe>{shown.summary}</p>
            <p>{ctx.t('page.approval.rating.linkInvalidText')}</p>
          </Notice>
        )}
      </>
    ),
  }));
}

export async function minePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof MineQuery> }>('/services/mine', { schema: { querystring: MineQuery }, config: { auth: 'user' } }, async (request, reply) => {
    // A citizen's own cases say which wait for a rating; a clerk's list is of the cases they filed.
    const principal = request.principal!;
    type Row = { id: string; receiptNo: string; itemName: string; state: string; submittedAt: string; dueDate: string | null; finishedAt: string | null; canRate?: boolean };
    const page: { items: Row[]; nextCursor: string | null } =
      principal.kind === 'public' ? await myCases(platform, principal, { limit: 20, cursor: request.query.cursor }) : await listMyApplications(platform, principal, { limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.mine.title'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.mine.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.mine.title')} lead={ctx.t('page.approval.mine.lead')} />
          <ServiceNav ctx={ctx} />
          {ctx.principal?.kind === 'public' ? <MineNav ctx={ctx} /> : ''}
          {page.items.length ? (
            <>
              <DataTable
                id="mine"
                caption={ctx.t('page.approval.mine.caption')}
                head={[ctx.t('page.approval.case.receiptNo'), ctx.t('page.approval.guide.name'), ctx.t('page.approval.case.state'), ctx.t('page.approval.case.submittedAt'), ctx.t('page.approval.case.dueDate'), ctx.t('page.approval.case.finishedAt')]}
              >
                {page.items.map((c) => (
                  <tr>
                    <td>
                      <a href={`/services/mine/${attr(c.id)}`} class="mono" id={`case-${attr(c.id)}`} safe>
                        {c.receiptNo}
                      </a>
                    </td>
                    <td safe>{c.itemName}</td>
                    <td>
                      <StateTag ctx={ctx} state={c.state} />
                      {c.canRate ? (
                        <>
                          {' '}
                          <a href={`/services/mine/${attr(c.id)}#rating`} aria-describedby={`case-${attr(c.id)}`}>
                            {ctx.t('page.approval.rating.rateNow')}
                          </a>
                        </>
                      ) : (
                        ''
                      )}
                    </td>
                    <td>{dateOf(c.submittedAt, ctx)}</td>
                    <td safe>{c.dueDate ?? '—'}</td>
                    <td>{dateOf(c.finishedAt, ctx)}</td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>
              <>
                {ctx.t('page.approval.mine.none')} <a href="/services">{ctx.t('page.approval.hall.title')}</a>
              </>
            </EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/services/mine/certificates', { schema: { querystring: ListQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const page = await myCertificates(platform, request.principal!, { limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.certs.title'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.certs.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.certs.title')} lead={ctx.t('page.approval.certs.lead')} />
          <MineNav ctx={ctx} />
          {page.items.length ? (
            <>
              <DataTable id="certificates" caption={ctx.t('page.approval.certs.caption')} head={[ctx.t('page.approval.certs.name'), ctx.t('page.approval.certs.no'), ctx.t('page.approval.certs.unit'), ctx.t('page.approval.certs.date'), ctx.t('ui.actions')]}>
                {page.items.map((c) => (
                  <tr>
                    <td>
                      <span safe>{c.name}</span>
                      {c.revoked ? <span class="tag tag-danger">{ctx.t('page.approval.certs.revoked')}</span> : ''}
                    </td>
                    <td class="mono" safe>
                      {c.certificateNo}
                    </td>
                    <td safe>{c.issuingUnit}</td>
                    <td>{dateOf(c.issuedAt, ctx)}</td>
                    <td>
                      <ul class="actions">
                        <li>
                          <a href={attr(c.downloadUrl)} download="" aria-label={ctx.ta('page.approval.certs.downloadOf', { name: c.name })}>
                            {ctx.t('page.approval.certs.download')}
                          </a>
                        </li>
                        <li>
                          <a href={attr(new URL(c.verificationUrl).pathname)} aria-label={ctx.ta('page.approval.certs.verifyOf', { name: c.name })}>
                            {ctx.t('page.approval.certs.verify')}
                          </a>
                        </li>
                      </ul>
                    </td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.certs.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/services/mine/ratings', { schema: { querystring: ListQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const page = await myRatings(platform, request.principal!, { limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.ratings.title'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.ratings.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.ratings.title')} lead={ctx.t('page.approval.ratings.lead')} />
          <MineNav ctx={ctx} />
          {page.items.length ? (
            <>
              <DataTable id="ratings" caption={ctx.t('page.approval.ratings.caption')} head={[ctx.t('page.approval.case.receiptNo'), ctx.t('page.approval.guide.name'), ctx.t('page.approval.ratings.level'), ctx.t('page.approval.rating.comment'), ctx.t('page.approval.ratings.ratedAt')]}>
                {page.items.map((r) => (
                  <tr>
                    <td>
                      <a href={`/services/mine/${attr(r.caseId)}`} class="mono" safe>
                        {r.receiptNo}
                      </a>
                    </td>
                    <td safe>{r.itemName}</td>
                    <td>{levelOf(ctx, r.score)}</td>
                    <td safe>{r.comment ?? '—'}</td>
                    <td>{dateOf(r.ratedAt, ctx)}</td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.ratings.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  async function complaintsPage(request: FastifyRequest, reply: FastifyReply, cursor: string | undefined, form: { caseId: string; content: string; fields?: FieldMessages; summary?: string; status?: number }) {
    const principal = request.principal!;
    const [page, cases] = await Promise.all([
      principal.kind === 'public' ? listComplaints(platform, principal, { limit: 20, cursor }) : { items: [], nextCursor: null },
      principal.kind === 'public' ? myRecentCases(platform, principal) : [],
    ]);
    return renderPortal(request, reply, (ctx) => {
      const labels = { caseId: ctx.ta('page.approval.complaints.case'), content: ctx.ta('page.approval.complaints.content') };
      return {
        title: ctx.t('page.approval.complaints.title'),
        crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.complaints.title') }],
        status: form.status,
        body: (
          <>
            <PageHeading title={ctx.t('page.approval.complaints.title')} lead={ctx.t('page.approval.complaints.lead')} />
            <MineNav ctx={ctx} />
            <section class="panel" aria-labelledby="complaint-title">
              <h2 id="complaint-title">{ctx.t('page.approval.complaints.formTitle')}</h2>
              {cases.length ? (
                <>
                  <ErrorSummary ctx={ctx} form="complaint" summary={form.summary} fields={form.fields} labels={labels} />
                  <form method="post" action="/services/mine/complaints" class="form" novalidate>
                    <Csrf ctx={ctx} />
                    <SelectField ctx={ctx} form="complaint" name="caseId" label={labels.caseId} value={form.caseId} error={form.fields?.caseId} placeholder={ctx.ta('page.approval.complaints.choose')} options={cases.map((c) => ({ value: c.id, label: `${c.receiptNo} ${c.itemName}` }))} required />
                    <TextArea ctx={ctx} form="complaint" name="content" label={labels.content} hint={ctx.ta('page.approval.complaints.contentHint')} value={form.content} error={form.fields?.content} maxlength={2000} rows={4} required />
                    <button type="submit" class="button">
                      {ctx.t('page.approval.complaints.submit')}
                    </button>
                  </form>
                </>
              ) : (
                <p class="muted">{ctx.t('page.approval.complaints.noCases')}</p>
              )}
            </section>
            <DataTable id="complaints" caption={ctx.t('page.approval.complaints.caption')} head={[ctx.t('page.approval.case.receiptNo'), ctx.t('page.approval.complaints.content'), ctx.t('page.approval.complaints.state'), ctx.t('page.approval.complaints.filedAt'), ctx.t('page.approval.complaints.dueDate'), ctx.t('page.approval.complaints.reply')]}>
              {page.items.length ? (
                page.items.map((c) => (
                  <tr>
                    <td>
                      {c.caseId ? (
                        <a href={`/services/mine/${attr(c.caseId)}`} class="mono" safe>
                          {c.receiptNo}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td safe>{c.content}</td>
                    <td>
                      <span class={c.state === 'replied' ? 'tag tag-success' : 'tag'}>{ctx.t(`page.approval.complaints.state.${c.state}`)}</span>
                    </td>
                    <td>{dateOf(c.filedAt, ctx)}</td>
                    <td safe>{c.dueDate}</td>
                    <td safe>{c.reply ?? '—'}</td>
                  </tr>
                ))
              ) : (
                <EmptyRow columns={6}>{ctx.t('page.approval.complaints.none')}</EmptyRow>
              )}
            </DataTable>
            <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!cursor} />
          </>
        ),
      };
    });
  }

  app.get<{ Querystring: Static<typeof ComplaintQuery> }>('/services/mine/complaints', { schema: { querystring: ComplaintQuery }, config: { auth: 'user' } }, async (request, reply) =>
    complaintsPage(request, reply, request.query.cursor, { caseId: request.query.case ?? '', content: '' }),
  );

  app.post<{ Body: Static<typeof FormBody> }>('/services/mine/complaints', { schema: { body: FormBody }, config: { auth: 'user', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const form = { caseId: formText(request.body, 'caseId'), content: formText(request.body, 'content').slice(0, 4000) };
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => complainAboutOwnCase(work, platform, request.principal!, form)));
    if (!result.ok) return complaintsPage(request, reply, undefined, { ...form, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.approval.complained', params: { dueDate: result.value.dueDate } });
    return redirect(reply, '/services/mine/complaints');
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/services/mine/:id/rating', { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const id = request.params.id;
    const input = ratingInput(request.lang, request.body);
    if (input.score === null) return renderMyCase(platform, request, reply, id, { status: 400, rating: { ...input.state, fields: input.fields, summary: translate(request.lang, 'page.approval.rating.chooseScore') } });
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => rateOwnCase(work, platform, request.principal!, id, { score: input.score!, comment: input.comment })));
    if (!result.ok) return renderMyCase(platform, request, reply, id, { status: result.error.status, rating: { ...input.state, fields: result.fields, summary: result.summary } });
    setFlash(reply, { kind: 'success', key: 'flash.approval.rated' });
    return redirect(reply, `/services/mine/${id}#rating`);
  });

  app.get<{ Params: Static<typeof TokenParams> }>('/services/rate/:token', { schema: { params: TokenParams }, config: { auth: 'public' } }, async (request, reply) => linkPage(platform, request, reply, request.params.token));

  // The token in the path is the credential (256 random bits, known only to the SMS's reader):
  // a cross-site form cannot name it, so it also stands for the form's CSRF token.
  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof FormBody> }>('/services/rate/:token', { schema: { params: TokenParams, body: FormBody }, config: { auth: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const token = request.params.token;
    const input = ratingInput(request.lang, request.body);
    if (input.score === null) return linkPage(platform, request, reply, token, { ...input.state, fields: input.fields, summary: translate(request.lang, 'page.approval.rating.chooseScore'), status: 400 });
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => rateByInvitation(work, platform, token, { score: input.score!, comment: input.comment })));
    if (!result.ok) {
      if (result.error.code === 'VALIDATION_FAILED') return linkPage(platform, request, reply, token, { ...input.state, fields: result.fields, summary: result.summary, status: 400 });
      return linkPage(platform, request, reply, token, { status: result.error.status, summary: result.summary });
    }
    return linkPage(platform, request, reply, token, { done: input.score, status: 200 });
  });
}
