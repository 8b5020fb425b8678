/** Pieces shared by the page renderers: article lists, pagination, search forms. */
import { anchorId, dateOf, datetimeAttr, esc } from './format.ts';
import { TEXT } from './text.ts';
import type { ArticleListItem, Link, Pagination } from './types.ts';

export function PublishedDate({ iso }: { iso: string }) {
  return (
    <time datetime={datetimeAttr(iso)} safe>
      {dateOf(iso)}
    </time>
  );
}

/** An item's source site (for shared items) and its date. */
export function SourceAndDate({ item }: { item: { sourceSite?: { name: string } | null; publishedAt: string } }) {
  return (
    <>
      {item.sourceSite ? (
        <span class="source-badge" safe>
          {item.sourceSite.name}
        </span>
      ) : (
        ''
      )}
      <PublishedDate iso={item.publishedAt} />
    </>
  );
}

export function ArticleList({ items, withSummary = false }: { items: ArticleListItem[]; withSummary?: boolean }) {
  return (
    <ul class="article-list">
      {items.map((item) => (
        <li>
          <a href={esc(item.url)} safe>
            {item.title}
          </a>
          <span class="article-list-meta">
            <SourceAndDate item={item} />
          </span>
          {withSummary && item.summary ? (
            <p class="article-list-summary" safe>
              {item.summary}
            </p>
          ) : (
            ''
          )}
        </li>
      ))}
    </ul>
  );
}

/** “更多新闻” beside a block: the visible word is short, the accessible name says which. */
export function MoreLink({ more, of }: { more: Link; of: string }) {
  return (
    <p class="block-more">
      <a href={esc(more.href)} aria-label={esc(TEXT.moreOf(of))} safe>
        {more.label || TEXT.more}
      </a>
    </p>
  );
}

/** The page numbers shown: the first, the last and two on each side of the current one; null for a gap. */
export function pageWindow(page: number, pages: number): Array<number | null> {
  const shown: Array<number | null> = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - page) <= 2) shown.push(n);
    else if (shown[shown.length - 1] !== null) shown.push(null);
  }
  return shown;
}

export function PaginationNav({ pagination }: { pagination: Pagination | null }) {
  if (!pagination || pagination.pages <= 1) return '';
  const { pages, hrefFor } = pagination;
  const page = Math.min(Math.max(1, pagination.page), pages);
  return (
    <nav class="pagination site-pagination" aria-label={TEXT.pagination}>
      <p class="pagination-status" safe>
        {TEXT.pageOf(page, pages)}
      </p>
      <ul>
        {page > 1 ? (
          <>
            <li>
              <a href={esc(hrefFor(1))}>{TEXT.firstPage}</a>
            </li>
            <li>
              <a href={esc(hrefFor(page - 1))} rel="prev">
                {TEXT.previousPage}
              </a>
            </li>
          </>
        ) : (
          ''
        )}
        {pageWindow(page, pages).map((n) =>
          n === null ? (
            <li>
              <span class="gap" aria-hidden="true">
                …
              </span>
            </li>
          ) : (
            <li>
              <a href={esc(hrefFor(n))} aria-label={esc(TEXT.pageN(n))} aria-current={n === page ? 'page' : undefined}>
                {n}
              </a>
            </li>
          ),
        )}
        {page < pages ? (
          <>
            <li>
              <a href={esc(hrefFor(page + 1))} rel="next">
                {TEXT.nextPage}
              </a>
            </li>
            <li>
              <a href={esc(hrefFor(pages))}>{TEXT.lastPage}</a>
            </li>
          </>
        ) : (
          ''
        )}
      </ul>
    </nav>
  );
}

/** A block's heading id from its (editor-chosen) id. */
export const blockTitleId = (id: string) => `block-${anchorId(id)}-title`;
