import { sql, type Kysely, type Migration } from 'kysely';
import { DEFAULT_DEADLINES, HOTLINE_DEADLINES } from './model.ts';

/**
 * Citizen interaction: the cases of every channel in one table, their own event log, the time
 * limits per channel, the sensitive-word list of the board's moderation and the hotline's
 * knowledge base.
 */
export const interactionMigrations: Record<string, Migration> = {
  '20261208_0100_interaction_cases': {
    async up(db: Kysely<any>) {
      await sql`
        create table interaction_cases (
          id text primary key,
          tracking_no text not null unique,
          channel text not null check (channel in ('mayor_mailbox', 'unit_mailbox', 'message_board', 'disclosure_request', 'hotline')),
          state text not null check (state in ('received', 'assigned', 'clarifying', 'reviewing', 'answered', 'merged')),
          title text not null,
          body text not null,
          is_public boolean not null default false,
          category text,
          target_unit_id text references units (id),
          dispatcher_unit_id text references units (id),
          handling_unit_id text not null references units (id),
          region_code text,
          urgency text check (urgency in ('urgent', 'high', 'normal', 'low')),
          writer_user_id text,
          writer_name_sealed text not null,
          writer_phone_sealed text not null,
          writer_email_sealed text,
          writer_id_no_sealed text,
          writer_name_masked text not null,
          writer_phone_hash text not null,
          query_code_sealed text not null,
          dedupe_key text not null unique,
          deadline_days integer not null,
          extension_days integer not null default 0,
          extension_reason text,
          received_at timestamptz not null,
          due_date date not null,
          stopped_days integer not null default 0,
          answered_at timestamptz,
          answer_body text,
          answer_type text check (answer_type in ('public', 'partial', 'withheld', 'not_exist', 'not_responsible', 'correction_needed', 'not_processed')),
          answered_by text,
          answer_approved_by text,
          draft_answer_body text,
          draft_answer_type text,
          draft_publish boolean not null default false,
          moderation text not null default 'none' check (moderation in ('none', 'pending', 'published', 'hidden')),
          moderation_reason text,
          flagged_words jsonb not null default '[]',
          published_at timestamptz,
          public_body text,
          public_answer text,
          merged_into_id text references interaction_cases (id),
          rating_score smallint check (rating_score between 1 and 5),
          rating_comment text,
          rated_at timestamptz,
          reopen_count integer not null default 0,
          reopened_at timestamptz,
          visited_at timestamptz,
          visited_by text,
          visit_satisfaction smallint check (visit_satisfaction between 1 and 5),
          visit_note text,
          knowledge_id text,
          supervised_at timestamptz,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1
        )`.execute(db);
      // A unit's inbox: its open cases, soonest deadline first.
      await sql`create index interaction_cases_open on interaction_cases (handling_unit_id, due_date, id) where state in ('received', 'assigned', 'clarifying', 'reviewing')`.execute(db);
      // Every case a unit has had, newest first (the inbox's other tabs, statistics by unit).
      await sql`create index interaction_cases_unit on interaction_cases (handling_unit_id, received_at desc, id desc)`.execute(db);
      await sql`create index interaction_cases_channel on interaction_cases (channel, received_at desc, id desc)`.execute(db);
      await sql`create index interaction_cases_received on interaction_cases (received_at)`.execute(db);
      // The public message board: published cases, newest first, by channel and by unit.
      await sql`create index interaction_cases_board on interaction_cases (published_at desc, id desc) where moderation = 'published'`.execute(db);
      await sql`create index interaction_cases_board_unit on interaction_cases (handling_unit_id, published_at desc, id desc) where moderation = 'published'`.execute(db);
      await sql`create index interaction_cases_moderation on interaction_cases (received_at, id) where moderation = 'pending'`.execute(db);
      await sql`create index interaction_cases_writer on interaction_cases (writer_user_id, received_at desc) where writer_user_id is not null`.execute(db);
      await sql`create index interaction_cases_merged on interaction_cases (merged_into_id) where merged_into_id is not null`.execute(db);

      await sql`
        create table interaction_case_events (
          id bigserial primary key,
          case_id text not null references interaction_cases (id),
          type text not null,
          actor_id text,
          unit_id text,
          at timestamptz not null,
          details jsonb not null default '{}'
        )`.execute(db);
      await sql`create index interaction_case_events_case on interaction_case_events (case_id, id)`.execute(db);

      await sql`
        create table interaction_deadlines (
          channel text not null,
          urgency text not null default '',
          days integer not null check (days between 1 and 60),
          updated_at timestamptz not null,
          primary key (channel, urgency)
        )`.execute(db);
      for (const [channel, days] of Object.entries(DEFAULT_DEADLINES)) {
        await sql`insert into interaction_deadlines (channel, urgency, days, updated_at) values (${channel}, '', ${days}, now())`.execute(db);
      }
      for (const [urgency, days] of Object.entries(HOTLINE_DEADLINES)) {
        await sql`insert into interaction_deadlines (channel, urgency, days, updated_at) values ('hotline', ${urgency}, ${days}, now())`.execute(db);
      }

      await sql`
        create table interaction_sensitive_words (
          word text primary key,
          created_at timestamptz not null,
          created_by text
        )`.execute(db);

      await sql`
        create table interaction_knowledge (
          id text primary key,
          category text not null,
          question text not null,
          answer text not null,
          keywords jsonb not null default '[]',
          active boolean not null default true,
          updated_at timestamptz not null,
          updated_by text
        )`.execute(db);
    },
  },
  '20261208_0710_interaction_attachments': {
    async up(db: Kysely<any>) {
      // A citizen's upload for a letter not yet sent: the token given with it (kept as an HMAC)
      // proves the uploader when the letter is sent; the row goes when the file is attached, and
      // with the file when an abandoned upload is purged.
      await sql`
        create table interaction_uploads (
          file_id text primary key references files (id) on delete cascade,
          token_hash text not null,
          created_at timestamptz not null
        )`.execute(db);
      // The answer documents (答复书, the disclosed documents): those of the draft waiting for the
      // leader, and those sent with the answer (what the writer may download).
      await sql`alter table interaction_cases add column draft_answer_files jsonb not null default '[]'`.execute(db);
      await sql`alter table interaction_cases add column answer_files jsonb not null default '[]'`.execute(db);
      // The message board by category, newest first.
      await sql`create index interaction_cases_board_category on interaction_cases (category, published_at desc, id desc) where moderation = 'published'`.execute(db);
    },
  },
};
