import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The portal site group (门户网站群): sites (one main site, sub-sites of departments, counties and
 * topics), their column trees (at most three levels), articles with their editorial workflow, every
 * content revision and workflow action (append-only), and the shares of sub-site articles to the
 * main site's shared columns (信息报送).
 */
export const portalMigrations: Record<string, Migration> = {
  '20261209_0100_portal_sites': {
    async up(db: Kysely<any>) {
      await sql`
        create table portal_sites (
          id text primary key,
          kind text not null check (kind in ('main', 'department', 'county', 'topic')),
          name text not null,
          unit_id text not null references units (id),
          slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
          host_name text unique,
          template text not null,
          theme text not null,
          primary_color text not null,
          logo_file_id text,
          navigation jsonb not null default '[]',
          footer jsonb not null default '{}',
          created_by text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1
        )`.execute(db);
      // One main site per installation.
      await sql`create unique index portal_sites_one_main on portal_sites ((kind)) where kind = 'main'`.execute(db);
      await sql`create index portal_sites_unit on portal_sites (unit_id)`.execute(db);
    },
  },
  '20261209_0101_portal_columns': {
    async up(db: Kysely<any>) {
      await sql`
        create table portal_columns (
          id text primary key,
          site_id text not null references portal_sites (id),
          parent_id text references portal_columns (id),
          depth integer not null check (depth between 1 and 3),
          -- The slugs from the first level down ('news/notices'): the column's address under the site.
          path text not null,
          name text not null,
          slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
          kind text not null check (kind in ('article_list', 'single_page', 'external_link', 'disclosure')),
          shared boolean not null default false,
          needs_review boolean not null default true,
          page_size integer not null default 20 check (page_size between 5 and 100),
          external_url text,
          editor_ids jsonb not null default '[]',
          position integer not null default 0,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          check (kind <> 'external_link' or external_url is not null),
          unique (site_id, path)
        )`.execute(db);
      // Slugs are unique among siblings; first-level columns have no parent.
      await sql`create unique index portal_columns_sibling_slug on portal_columns (site_id, coalesce(parent_id, ''), slug)`.execute(db);
      await sql`create index portal_columns_tree on portal_columns (site_id, parent_id, position, id)`.execute(db);
      await sql`create index portal_columns_shared on portal_columns (site_id) where shared`.execute(db);
    },
  },
  '20261209_0102_portal_articles': {
    async up(db: Kysely<any>) {
      await sql`
        create table portal_articles (
          id text primary key,
          site_id text not null references portal_sites (id),
          column_id text not null references portal_columns (id),
          unit_id text not null references units (id),
          status text not null check (status in ('draft', 'submitted', 'published', 'rejected', 'withdrawn')),
          title text not null,
          subtitle text,
          summary text,
          body text not null,
          source text,
          author text,
          keywords jsonb not null default '[]',
          attachment_ids jsonb not null default '[]',
          attachment_contact text,
          publish_at timestamptz,
          unpublish_at timestamptz,
          -- Approved (or submitted to a column without review) and waiting for publish_at.
          scheduled boolean not null default false,
          published_at timestamptz,
          first_published_at timestamptz,
          revision integer not null default 1,
          reason text,
          created_by text not null,
          submitted_by text,
          submitted_at timestamptz,
          reviewed_by text,
          reviewed_at timestamptz,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          check (not scheduled or (status = 'submitted' and publish_at is not null)),
          check (status not in ('rejected') or reason is not null)
        )`.execute(db);
      // The editors' lists: a site's, a column's, by state, newest change first.
      await sql`create index portal_articles_site on portal_articles (site_id, updated_at desc, id desc)`.execute(db);
      await sql`create index portal_articles_column on portal_articles (column_id, updated_at desc, id desc)`.execute(db);
      await sql`create index portal_articles_status on portal_articles (site_id, status, updated_at desc, id desc)`.execute(db);
      // A column's public list: published, newest first.
      await sql`create index portal_articles_published on portal_articles (column_id, published_at desc, id desc) where status = 'published'`.execute(db);
      // The schedule job's scans grow with what is due, not with the table.
      await sql`create index portal_articles_due_publish on portal_articles (publish_at) where scheduled`.execute(db);
      await sql`create index portal_articles_due_unpublish on portal_articles (unpublish_at) where status = 'published' and unpublish_at is not null`.execute(db);

      await sql`
        create table portal_revisions (
          id text primary key,
          article_id text not null references portal_articles (id),
          revision integer not null,
          title text not null,
          subtitle text,
          summary text,
          body text not null,
          source text,
          author text,
          keywords jsonb not null default '[]',
          attachment_ids jsonb not null default '[]',
          created_by text not null,
          created_at timestamptz not null,
          unique (article_id, revision)
        )`.execute(db);

      // The workflow's history, append-only: who submitted, approved, rejected, withdrew and why.
      await sql`
        create table portal_article_actions (
          id bigint generated by default as identity primary key,
          article_id text not null references portal_articles (id),
          action text not null,
          from_status text,
          to_status text not null,
          reason text,
          actor_id text,
          at timestamptz not null
        )`.execute(db);
      await sql`create index portal_article_actions_article on portal_article_actions (article_id, at, id)`.execute(db);
    },
  },
  '20261209_0103_portal_shares': {
    async up(db: Kysely<any>) {
      await sql`
        create table portal_shares (
          id text primary key,
          article_id text not null references portal_articles (id),
          source_site_id text not null references portal_sites (id),
          source_unit_id text not null references units (id),
          column_id text not null references portal_columns (id),
          site_id text not null references portal_sites (id),
          -- removed: the original was withdrawn or unpublished after the push (accepted_at tells whether it had been accepted).
          status text not null check (status in ('pending', 'accepted', 'declined', 'removed')),
          reason text,
          pushed_by text not null,
          pushed_at timestamptz not null,
          decided_by text,
          decided_at timestamptz,
          accepted_at timestamptz,
          removed_at timestamptz,
          version integer not null default 1,
          check (status <> 'declined' or reason is not null)
        )`.execute(db);
      // An article waits in, or shows in, a shared column once.
      await sql`create unique index portal_shares_live on portal_shares (article_id, column_id) where status in ('pending', 'accepted')`.execute(db);
      await sql`create index portal_shares_inbox on portal_shares (site_id, status, pushed_at desc, id desc)`.execute(db);
      await sql`create index portal_shares_column on portal_shares (column_id, accepted_at desc, id desc) where status = 'accepted'`.execute(db);
      await sql`create index portal_shares_stats on portal_shares (pushed_at, source_unit_id)`.execute(db);
      await sql`create index portal_shares_article on portal_shares (article_id)`.execute(db);
    },
  },
};
