/** The parts of the citizen's own area that its pages share: its navigation, a case's documents, the rating form. */
import type { ViewContext, FieldMessages } from '../../../platform/views/index.ts';
import { attr, Csrf, ErrorSummary } from '../../../platform/views/index.ts';
import type { DocumentKind } from '../queries/me.ts';
import type { PortalLink } from '../../../platform/module.ts';
import { dateOf, RadioGroup, TextArea } from './components.tsx';

/** The five levels of GB/T 39734, best first. */
export const SCORES = [5, 4, 3, 2, 1] as const;
export const levelOf = (ctx: ViewContext, score: number) => ctx.t(`page.approval.rating.level.${score}`);

/** The pages of the citizen's own area that approval offers (declared in the manifest: portal.account). */
export const ACCOUNT_PAGES: PortalLink[] = [
  { href: '/services/mine', key: 'page.approval.mineNav.cases' },
  { href: '/services/mine/certificates', key: 'page.approval.mineNav.certificates' },
  { href: '/services/mine/ratings', key: 'page.approval.mineNav.ratings' },
  { href: '/services/mine/complaints', key: 'page.approval.mineNav.complaints' },
];

/** The pages of the citizen's own area. */
export function MineNav({ ctx }: { ctx: ViewContext }) {
  const links = ACCOUNT_PAGES;
  return (
    <nav class="panel service-nav" aria-label={ctx.ta('page.approval.mineNav.label')}>
      <ul class="actions">
        {links.map((link) => (
          <li>
            <a href={link.href} aria-current={ctx.path === link.href ? 'page' : undefined}>
              {ctx.t(link.key)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The PDF documents of a case, each a download link. */
export function CaseDocuments({ ctx, documents }: { ctx: ViewContext; documents: Array<{ kind: DocumentKind; url: string }> }) {
  return (
    <section class="panel" aria-labelledby="case-documents">
      <h2 id="case-documents">{ctx.t('page.approval.docs.title')}</h2>
      {documents.length ? (
        <>
          <p>{ctx.t('page.approval.docs.lead')}</p>
          <ul class="actions">
            {documents.map((d) => (
              <li>
                <a href={attr(d.url)} download="">
                  {ctx.t(`approval.document.kind.${d.kind}`)}
                  <span class="muted">（{ctx.t('page.approval.docs.pdf')}）</span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">{ctx.t('page.approval.docs.none')}</p>
      )}
    </section>
  );
}

export interface RatingState {
  score?: string;
  comment?: string;
  fields?: FieldMessages;
  summary?: string;
}

/** The rating form (好差评): five levels, reasons required for a bad one. */
export function RatingForm({ ctx, action, state }: { ctx: ViewContext; action: string; state: RatingState }) {
  const labels = { score: ctx.ta('page.approval.rating.score'), comment: ctx.ta('page.approval.rating.comment') };
  return (
    <>
      <ErrorSummary ctx={ctx} form="rating" summary={state.summary} fields={state.fields} labels={labels} />
      <form method="post" action={attr(action)} class="form" novalidate>
        <Csrf ctx={ctx} />
        <RadioGroup ctx={ctx} form="rating" name="score" legend={labels.score} value={state.score ?? ''} options={SCORES.map((s) => ({ value: String(s), label: ctx.ta(`page.approval.rating.level.${s}`) }))} error={state.fields?.score} required />
        <TextArea ctx={ctx} form="rating" name="comment" label={labels.comment} hint={ctx.ta('page.approval.rating.commentHint')} value={state.comment} error={state.fields?.comment} maxlength={500} rows={3} />
        <button type="submit" class="button">
          {ctx.t('page.approval.rating.submit')}
        </button>
      </form>
    </>
  );
}

/** The rating panel of a decided case: the form, or the rating given. */
export function RatingPanel({ ctx, caseId, rating, state }: { ctx: ViewContext; caseId: string; rating: { score: number; comment: string | null; ratedAt: string } | null; state: RatingState }) {
  return (
    <section class="panel" aria-labelledby="rating-title" id="rating">
      <h2 id="rating-title">{ctx.t('page.approval.rating.title')}</h2>
      {rating ? (
        <>
          <ErrorSummary ctx={ctx} form="rating" summary={state.summary} />
          <p>
            {ctx.t('page.approval.rating.done', { level: levelOf(ctx, rating.score) })}（<time datetime={attr(rating.ratedAt)}>{dateOf(rating.ratedAt, ctx)}</time>）
          </p>
          {rating.comment ? <p class="muted" safe>{rating.comment}</p> : ''}
        </>
      ) : (
        <>
          <p>{ctx.t('page.approval.rating.lead')}</p>
          <RatingForm ctx={ctx} action={`/services/mine/${caseId}/rating`} state={state} />
        </>
      )}
    </section>
  );
}

