/**
 * The public pages of a site, as pure functions from view data to a complete HTML document. They
 * are called by routes (on demand) and by the publisher (written to files served byte for byte), so
 * the same input gives the same bytes and nothing depends on the request: no nonce, no token, no
 * user, no clock. Titles and other text are escaped; `bodyHtml` is trusted (sanitised upstream).
 */
import { renderSitePage, sitePath } from './layout.tsx';
import { ArticleList, blockTitleId, MoreLink, PaginationNav, PublishedDate, SourceAndDate } from './parts.tsx';
import { anchorId, dateTimeOf, datetimeAttr, esc, fileKindLabel, fileSize, html, snippetHtml } from './format.ts';
import { TEXT } from './text.ts';
import type { ArticleView, ColumnListView, ColumnView, HomeView, Link, SearchView, SinglePageView, SiteView } from './types.ts';

const homeCrumb = (site: SiteView): Link => ({ label: TEXT.home, href: sitePath(site) });

/** The site's home page: headline, service hall search and hot items, article blocks, interaction entries. */
export function renderHome(site: SiteView, home: HomeView): string {
  const hall = home.serviceHall;
  const interaction = home.interaction;
  const main = (
    <>
      <div class={hall ? 'site-hero' : 'site-hero site-hero-single'}>
        <section aria-labelledby="site-title">
          <h1 id="site-title" safe>
            {site.name}
          </h1>
          {home.headline ? (
            <div class="headline">
              <p class="headline-title">
                <a href={esc(home.headline.url)} safe>
                  {home.headline.title}
                </a>
              </p>
              {home.headline.summary ? <p safe>{home.headline.summary}</p> : ''}
              <p class="article-list-meta">
                <PublishedDate iso={home.headline.publishedAt} />
              </p>
            </div>
          ) : (
            ''
          )}
        </section>
        {hall ? (
          <section class="service-hall" aria-labelledby="service-hall-title">
            <h2 id="service-hall-title" safe>
              {hall.title}
            </h2>
            <form class="service-hall-search" method="get" action={esc(hall.searchAction)} role="search" aria-label={TEXT.serviceSearchLabel}>
              <label for="service-hall-q">{TEXT.serviceSearchLabel}</label>
              <input id="service-hall-q" type="search" name="q" maxlength="100" placeholder={TEXT.searchPlaceholder} />
              <button type="submit" class="button">
                {TEXT.searchSubmit}
              </button>
            </form>
            {hall.hotItems.length ? (
              <>
                <h3 id="hot-items-title">{TEXT.hotItems}</h3>
                <ul class="home-chips" aria-labelledby="hot-items-title">
                  {hall.hotItems.map((item) => (
                    <li>
                      <a href={esc(item.href)} safe>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              ''
            )}
            {hall.more ? <MoreLink more={hall.more} of={hall.title} /> : ''}
          </section>
        ) : (
          ''
        )}
      </div>
      {home.blocks.length ? (
        <div class="home-blocks">
          {home.blocks.map((block) => (
            <section class="home-block" id={`block-${anchorId(block.id)}`} aria-labelledby={blockTitleId(block.id)}>
              <h2 id={blockTitleId(block.id)} safe>
                {block.title}
              </h2>
              {block.items.length ? <ArticleList items={block.items} /> : <p class="muted">{TEXT.blockEmpty}</p>}
              {block.more ? <MoreLink more={block.more} of={block.title} /> : ''}
            </section>
          ))}
        </div>
      ) : (
        ''
      )}
      {interaction ? (
        <section class="home-block home-block-cards interaction-cards" aria-labelledby="interaction-title">
          <h2 id="interaction-title" safe>
            {interaction.title}
          </h2>
          <ul class="home-cards">
            {interaction.entries.map((entry) => (
              <li>
                <a href={esc(entry.href)}>
                  <strong safe>{entry.label}</strong>
                  {entry.description ? (
                    <span class="note" safe>
                      {entry.description}
                    </span>
                  ) : (
                    ''
                  )}
                </a>
              </li>
            ))}
          </ul>
          {interaction.more ? <MoreLink more={interaction.more} of={interaction.title} /> : ''}
        </section>
      ) : (
        ''
      )}
    </>
  );
  return renderSitePage(site, { title: null, mainHtml: html(main), pageClass: 'page-home' });
}

function ColumnNav({ column }: { column: ColumnView }) {
  if (!column.children.length) return '';
  return (
    <nav class="column-nav" aria-labelledby="column-nav-title">
      <h2 id="column-nav-title">{TEXT.subColumns}</h2>
      <ul>
        {column.children.map((child) => (
          <li>
            <a href={esc(child.href)} safe>
              {child.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The RSS feed of a column's list: `<column url>rss.xml` unless the caller names another. */
export const columnFeedUrl = (column: ColumnView) => `${column.url.replace(/\/?$/, '/')}rss.xml`;

/** A column's list page with numbered pagination; page 2 onwards say which page they are in <title>. */
export function renderColumnList(site: SiteView, column: ColumnView, list: ColumnListView, options: { feedUrl?: string | null } = {}): string {
  const { pagination } = list;
  const feedUrl = options.feedUrl === undefined ? columnFeedUrl(column) : options.feedUrl;
  const main = (
    <div class={column.children.length ? 'column-layout' : 'column-layout column-layout-single'}>
      <section class="column-content" aria-labelledby="column-title">
        <h1 id="column-title" safe>
          {column.name}
        </h1>
        {column.description ? (
          <p class="column-description" safe>
            {column.description}
          </p>
        ) : (
          ''
        )}
        {list.items.length ? <ArticleList items={list.items} withSummary /> : <p class="empty-state">{TEXT.listEmpty}</p>}
        <PaginationNav pagination={pagination} />
      </section>
      <ColumnNav column={column} />
    </div>
  );
  const title = pagination.page > 1 ? `${column.name}（${TEXT.pageN(pagination.page)}）` : column.name;
  return renderSitePage(site, {
    title,
    mainHtml: html(main),
    crumbs: column.breadcrumbs,
    description: column.description ?? null,
    feeds: feedUrl ? [{ label: column.name, href: feedUrl }] : [],
    pageClass: 'page-list',
  });
}

/** A single-page column (机构概况, 联系我们 …). */
export function renderSinglePage(site: SiteView, column: ColumnView, page: SinglePageView): string {
  // Sanitised by the caller (the article and column editors sanitise on save).
  const safeBody = page.bodyHtml;
  const main = (
    <div class={column.children.length ? 'column-layout' : 'column-layout column-layout-single'}>
      <article class="article single-page" aria-labelledby="page-title">
        <header class="article-header">
          <h1 id="page-title" safe>
            {page.title}
          </h1>
          {page.updatedAt ? (
            <p class="article-meta">
              {TEXT.updatedAt}：
              <time datetime={datetimeAttr(page.updatedAt)} safe>
                {dateTimeOf(page.updatedAt)}
              </time>
            </p>
          ) : (
            ''
          )}
        </header>
        <div class="article-body" data-article-body="">
          {safeBody}
        </div>
      </article>
      <ColumnNav column={column} />
    </div>
  );
  return renderSitePage(site, { title: page.title, mainHtml: html(main), crumbs: column.breadcrumbs, pageClass: 'page-single' });
}

function Meta({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return '';
  return (
    <div>
      <dt safe>{label}</dt>
      <dd safe>{value}</dd>
    </div>
  );
}

function Attachments({ article }: { article: ArticleView }) {
  if (!article.attachments.length) return '';
  return (
    <section class="article-attachments" aria-labelledby="attachments-title">
      <h2 id="attachments-title">{TEXT.attachments}</h2>
      <ol class="attachment-list">
        {article.attachments.map((a) => (
          <li>
            <a href={esc(a.url)} safe>
              {a.name}
            </a>
            <span class="attachment-facts" safe>
              （{fileKindLabel(a.kind)}，{fileSize(a.size)}）
            </span>
          </li>
        ))}
      </ol>
      {article.attachmentContact ? (
        <p class="attachment-contact">
          {TEXT.attachmentContact}<span safe>{article.attachmentContact}</span>
        </p>
      ) : (
        ''
      )}
    </section>
  );
}

function ArticleTools() {
  // Shown by site.js (hidden without script, where the buttons could do nothing).
  return (
    <div class="article-tools" data-article-tools="" hidden>
      <div role="group" aria-label={TEXT.fontSize}>
        <span aria-hidden="true">{TEXT.fontSize}：</span>
        <button type="button" data-font="large" aria-pressed="false">
          {TEXT.fontLarge}
        </button>
        <button type="button" data-font="medium" aria-pressed="true">
          {TEXT.fontMedium}
        </button>
        <button type="button" data-font="small" aria-pressed="false">
          {TEXT.fontSmall}
        </button>
      </div>
      <button type="button" data-print="">
        {TEXT.print}
      </button>
    </div>
  );
}

function Pager({ article }: { article: ArticleView }) {
  // No neighbours given (the portal's pages leave them out): no pager, rather than two "没有了".
  if (!article.previous && !article.next) return '';
  const entry = (label: string, link: Link | null) => (
    <li>
      <span safe>{label}</span>：
      {link ? (
        <a href={esc(link.href)} safe>
          {link.label}
        </a>
      ) : (
        TEXT.none
      )}
    </li>
  );
  return (
    <nav class="article-pager" aria-label={`${TEXT.previous}、${TEXT.next}`}>
      <ul>
        {entry(TEXT.previous, article.previous)}
        {entry(TEXT.next, article.next)}
      </ul>
    </nav>
  );
}

/** An article: breadcrumbs to its column, title, metadata, body, attachments with the alternative-format contact, previous/next. */
export function renderArticle(site: SiteView, column: ColumnView, article: ArticleView): string {
  // Sanitised by the caller when the article was saved.
  const safeBody = article.bodyHtml;
  const main = (
    <article class="article" aria-labelledby="article-title">
      <header class="article-header">
        <h1 id="article-title" safe>
          {article.title}
        </h1>
        {article.subtitle ? (
          <p class="article-subtitle" safe>
            {article.subtitle}
          </p>
        ) : (
          ''
        )}
        <dl class="article-meta">
          <div>
            <dt>{TEXT.publishedAt}</dt>
            <dd>
              <time datetime={datetimeAttr(article.publishedAt)} safe>
                {dateTimeOf(article.publishedAt)}
              </time>
            </dd>
          </div>
          <Meta label={TEXT.source} value={article.source} />
          <Meta label={TEXT.author} value={article.author} />
          {article.updatedAt ? <Meta label={TEXT.updatedAt} value={dateTimeOf(article.updatedAt)} /> : ''}
        </dl>
        {article.facts?.length ? (
          <dl class="article-facts">
            {article.facts.map((f) => (
              <>
                <dt safe>{f.label}</dt>
                <dd safe>{f.value}</dd>
              </>
            ))}
          </dl>
        ) : (
          ''
        )}
        <ArticleTools />
      </header>
      {article.summary ? (
        <p class="article-summary" safe>
          {article.summary}
        </p>
      ) : (
        ''
      )}
      <div class="article-body" data-article-body="">
        {safeBody}
      </div>
      <Attachments article={article} />
      <footer class="article-footer">
        {article.keywords.length ? (
          <p class="article-keywords">
            {TEXT.keywords}：<span safe>{article.keywords.join('、')}</span>
          </p>
        ) : (
          ''
        )}
        {article.sourceSite ? (
          <p class="article-shared">
            {TEXT.sharedFrom}：
            <a href={esc(article.sourceSite.url)} safe>
              {article.sourceSite.name}
            </a>
          </p>
        ) : (
          ''
        )}
        <Pager article={article} />
      </footer>
    </article>
  );
  return renderSitePage(site, {
    title: article.title,
    mainHtml: html(main),
    crumbs: [...column.breadcrumbs, { label: article.title, href: '' }],
    description: article.summary ?? null,
    pageClass: 'page-article',
  });
}

/** The search page: the form with the query kept, filters as links, the results with highlighted snippets, pagination. */
export function renderSearch(site: SiteView, search: SearchView): string {
  const q = search.q.trim();
  const action = site.searchUrl ?? `${sitePath(site)}search`;
  const main = (
    <div class="search-page">
      <h1>{TEXT.searchSite}</h1>
      <form class="search-form" method="get" action={esc(action)} role="search" aria-label={TEXT.searchSite}>
        <label for="search-q">{TEXT.searchSite}</label>
        <input id="search-q" type="search" name="q" maxlength="100" value={esc(search.q)} placeholder={TEXT.searchPlaceholder} />
        <button type="submit" class="button">
          {TEXT.searchSubmit}
        </button>
      </form>
      {search.filters.length ? (
        <nav class="search-filters" aria-label={TEXT.searchFilters}>
          {search.filters.map((filter, i) => (
            <>
              <h2 id={`filter-${i}`} safe>
                {filter.label}
              </h2>
              <ul aria-labelledby={`filter-${i}`}>
                {filter.options.map((o) => (
                  <li>
                    <a href={esc(o.href)} aria-current={o.current ? 'true' : undefined} safe>
                      {o.label}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ))}
        </nav>
      ) : (
        ''
      )}
      <section class="search-results-region" aria-labelledby="search-results-title">
        <h2 id="search-results-title" class="visually-hidden">
          {TEXT.searchResults}
        </h2>
        {!q ? (
          <p>{TEXT.searchHint}</p>
        ) : search.items.length ? (
          <>
            <p class="search-total" safe>
              {TEXT.searchTotal(q, search.total)}
            </p>
            <ol class="search-results">
              {search.items.map((item) => {
                // Escaped text with <mark> only; any other '<' is escaped here (snippetHtml).
                const safeSnippet = snippetHtml(item.snippetHtml);
                return (
                  <li>
                    <h3>
                      <a href={esc(item.url)} safe>
                        {item.title}
                      </a>
                    </h3>
                    <p class="search-snippet">{safeSnippet}</p>
                    <p class="search-meta">
                      <SourceAndDate item={item} />
                    </p>
                  </li>
                );
              })}
            </ol>
          </>
        ) : (
          <p class="empty-state" safe>
            {TEXT.searchNone(q)}
          </p>
        )}
        <PaginationNav pagination={search.pagination} />
      </section>
    </div>
  );
  return renderSitePage(site, {
    title: q ? `${q} - ${TEXT.searchResults}` : TEXT.searchSite,
    mainHtml: html(main),
    crumbs: [homeCrumb(site), { label: TEXT.searchSite, href: action }],
    headerSearch: false,
    pageClass: 'page-search',
  });
}

/** The site's own “page not found” (sent with status 404 by whoever serves it). */
export function renderNotFound(site: SiteView): string {
  const main = (
    <section class="not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{TEXT.notFoundTitle}</h1>
      <p>{TEXT.notFoundText}</p>
      <ul>
        <li>
          <a href={esc(sitePath(site))}>{TEXT.notFoundHome}</a>
        </li>
        {site.searchUrl ? (
          <li>
            <a href={esc(site.searchUrl)}>{TEXT.notFoundSearch}</a>
          </li>
        ) : (
          ''
        )}
        {site.navigation.slice(1, 6).map((n) => (
          <li>
            <a href={esc(n.href)} safe>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
  return renderSitePage(site, { title: TEXT.notFoundTitle, mainHtml: html(main), pageClass: 'page-not-found' });
}
