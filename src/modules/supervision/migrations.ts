import { sql, type Kysely, type Migration } from 'kysely';

/** A trigger that makes a table append-only (or immutable): the database refuses updates and deletes. */
async function refuseChanges(db: Kysely<any>, table: string) {
  await sql`
    create function ${sql.raw(`${table}_refuse_change`)}() returns trigger language plpgsql as $$
    begin
      raise exception '${sql.raw(table)} is append-only: % refused', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger ${sql.raw(`${table}_no_change`)} before update or delete on ${sql.raw(table)}
            for each row execute function ${sql.raw(`${table}_refuse_change`)}()`.execute(db);
}

export const supervisionMigrations: Record<string, Migration> = {
  '20261120_0100_supervision_cards': {
    async up(db: Kysely<any>) {
      await sql`
        create table supervision_settings (
          key text primary key,
          value jsonb not null,
          updated_at timestamptz not null,
          updated_by text
        )`.execute(db);
      await sql`
        create table supervision_cards (
          id text primary key,
          case_id text not null,
          step_key text not null default '',
          reason text not null,
          color text not null check (color in ('yellow', 'red')),
          status text not null check (status in ('open', 'explained', 'confirmed', 'revoked')),
          unit_id text not null,
          person_id text,
          task_id text,
          due_date date,
          detail jsonb not null default '{}',
          issued_at timestamptz not null,
          upgraded_at timestamptz,
          explained_at timestamptz,
          decided_at timestamptz,
          decided_by text,
          version integer not null default 1
        )`.execute(db);
      // At most one card per case, step and reason, whatever the number of scanning processes.
      await sql`create unique index supervision_cards_one on supervision_cards (case_id, step_key, reason)`.execute(db);
      await sql`create index supervision_cards_unit on supervision_cards (unit_id, issued_at desc, id)`.execute(db);
      await sql`create index supervision_cards_issued on supervision_cards (issued_at desc, id)`.execute(db);
      await sql`create index supervision_cards_person on supervision_cards (person_id, status) where person_id is not null`.execute(db);
      await sql`create index supervision_cards_pending on supervision_cards (issued_at) where status in ('open', 'explained')`.execute(db);
      await sql`
        create table supervision_card_events (
          card_id text not null references supervision_cards (id),
          seq integer not null,
          type text not null check (type in ('issued', 'upgraded', 'explained', 'confirmed', 'revoked')),
          color text not null,
          text text,
          attachments jsonb not null default '[]',
          actor_id text,
          actor_name text,
          at timestamptz not null,
          primary key (card_id, seq)
        )`.execute(db);
      // What supervision saw stays: no department (and no code path) can edit or hide a card's history.
      await refuseChanges(db, 'supervision_card_events');
      await sql`create table supervision_scan_marks (name text primary key, at timestamptz not null)`.execute(db);
    },
  },
  '20261120_0200_supervision_complaints_ratings': {
    async up(db: Kysely<any>) {
      await sql`
        create table supervision_complaints (
          id text primary key,
          case_id text not null,
          unit_id text not null,
          receipt_no text not null,
          channel text not null check (channel in ('online', 'phone')),
          complainant_user_id text,
          complainant_name text not null,
          complainant_phone_sealed text,
          content text not null,
          state text not null check (state in ('open', 'handling', 'replied')),
          due_date date not null,
          filed_at timestamptz not null,
          filed_by text,
          reply text,
          replied_at timestamptz,
          replied_by text,
          version integer not null default 1
        )`.execute(db);
      await sql`create index supervision_complaints_pending on supervision_complaints (due_date, id) where state <> 'replied'`.execute(db);
      await sql`create index supervision_complaints_filed on supervision_complaints (filed_at desc, id)`.execute(db);
      await sql`create index supervision_complaints_case on supervision_complaints (case_id)`.execute(db);
      await sql`create index supervision_complaints_user on supervision_complaints (complainant_user_id, filed_at desc) where complainant_user_id is not null`.execute(db);
      await sql`
        create table supervision_complaint_notes (
          complaint_id text not null references supervision_complaints (id),
          seq integer not null,
          type text not null check (type in ('filed', 'note', 'replied')),
          text text not null,
          actor_id text,
          actor_name text,
          at timestamptz not null,
          primary key (complaint_id, seq)
        )`.execute(db);
      await refuseChanges(db, 'supervision_complaint_notes');
      await sql`
        create table supervision_ratings (
          id text primary key,
          case_id text not null unique,
          unit_id text not null,
          item_id text not null,
          score integer not null check (score between 1 and 5),
          comment text,
          channel text not null check (channel in ('public', 'account')),
          rated_by text,
          rated_at timestamptz not null
        )`.execute(db);
      // A rating is the applicant's word: nobody changes or removes it afterwards.
      await refuseChanges(db, 'supervision_ratings');
      await sql`create index supervision_ratings_at on supervision_ratings (rated_at)`.execute(db);
      await sql`create index supervision_ratings_unit on supervision_ratings (unit_id, rated_at)`.execute(db);
      await sql`
        create table supervision_rectifications (
          id text primary key,
          rating_id text not null unique references supervision_ratings (id),
          case_id text not null,
          unit_id text not null,
          state text not null check (state in ('open', 'done')),
          due_date date not null,
          opened_at timestamptz not null,
          measures text,
          done_at timestamptz,
          done_by text,
          version integer not null default 1
        )`.execute(db);
      await sql`create index supervision_rectifications_unit on supervision_rectifications (unit_id, opened_at desc, id)`.execute(db);
      await sql`create index supervision_rectifications_open on supervision_rectifications (due_date) where state = 'open'`.execute(db);
      await sql`
        create table supervision_rectification_calls (
          rectification_id text not null references supervision_rectifications (id),
          seq integer not null,
          reached boolean not null,
          satisfied boolean,
          note text not null,
          actor_id text,
          actor_name text,
          at timestamptz not null,
          primary key (rectification_id, seq)
        )`.execute(db);
      await refuseChanges(db, 'supervision_rectification_calls');
    },
  },
};
