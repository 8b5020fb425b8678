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

/**
 * Per-day counters of the cards, kept by the database: statement-level triggers add what inserted
 * and updated cards count for and take away what the old rows counted for, in one upsert per
 * statement in key order. Issuing, turning red, confirming and revoking all move them; an
 * explanation changes no count and touches no counter row. With `slot`, each day's row of a unit
 * and person is spread over slots (readers add them up).
 */
function cardDayFunction(slot?: string) {
  const keyNames = ['day', 'unit_id', 'person_id', ...(slot ? ['slot'] : [])].join(', ');
  const keys = `((issued_at at time zone 'UTC') + interval '8 hours')::date as day, unit_id, coalesce(person_id, '') as person_id${slot ? `, ${slot} as slot` : ''}`;
  const counts = (sign: string) =>
    [
      `${sign}(case when color = 'yellow' then 1 else 0 end) as yellow`,
      `${sign}(case when color = 'red' then 1 else 0 end) as red`,
      `${sign}(case when color = 'yellow' and status = 'confirmed' then 1 else 0 end) as confirmed_yellow`,
      `${sign}(case when color = 'red' and status = 'confirmed' then 1 else 0 end) as confirmed_red`,
    ].join(', ');
  const rows = (source: string, sign: '' | '-') => `select ${keys}, ${counts(sign)} from ${source}`;
  const upsert = (sources: string) => `
      insert into supervision_card_days as c (${keyNames}, yellow, red, confirmed_yellow, confirmed_red)
      select ${keyNames}, sum(yellow), sum(red), sum(confirmed_yellow), sum(confirmed_red) from (${sources}) x
       group by ${keyNames}
      having sum(yellow) <> 0 or sum(red) <> 0 or sum(confirmed_yellow) <> 0 or sum(confirmed_red) <> 0
       order by ${keyNames}
      on conflict (${keyNames}) do update
         set yellow = c.yellow + excluded.yellow, red = c.red + excluded.red,
             confirmed_yellow = c.confirmed_yellow + excluded.confirmed_yellow, confirmed_red = c.confirmed_red + excluded.confirmed_red;`;
  return {
    create: sql`
    create or replace function supervision_card_days_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then ${sql.raw(upsert(rows('new_rows', '')))}
      elsif tg_op = 'DELETE' then ${sql.raw(upsert(rows('old_rows', '-')))}
      else ${sql.raw(upsert(`${rows('new_rows', '')} union all ${rows('old_rows', '-')}`))}
      end if;
      return null;
    end $$`,
    backfill: sql.raw(upsert(rows('supervision_cards', ''))),
  };
}

async function cardDayCounters(db: Kysely<any>) {
  const counters = cardDayFunction();
  await counters.create.execute(db);
  await sql`create trigger supervision_card_days_on_insert after insert on supervision_cards referencing new table as new_rows for each statement execute function supervision_card_days_apply()`.execute(db);
  await sql`create trigger supervision_card_days_on_update after update on supervision_cards referencing old table as old_rows new table as new_rows for each statement execute function supervision_card_days_apply()`.execute(db);
  await sql`create trigger supervision_card_days_on_delete after delete on supervision_cards referencing old table as old_rows for each statement execute function supervision_card_days_apply()`.execute(db);
  await counters.backfill.execute(db);
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
  '20261123_0300_supervision_card_days': {
    async up(db: Kysely<any>) {
      // Cards per day of issue (Asia/Shanghai), unit and person ('' when none): the cards by colour
      // of the statistics add up at most a few rows per unit and day of the period.
      await sql`
        create table supervision_card_days (
          day date not null,
          unit_id text not null,
          person_id text not null,
          yellow integer not null,
          red integer not null,
          confirmed_yellow integer not null,
          confirmed_red integer not null,
          primary key (day, unit_id, person_id)
        )`.execute(db);
      await cardDayCounters(db);
    },
  },
  '20261124_0100_supervision_card_day_slots': {
    async up(db: Kysely<any>) {
      // A unit's cards of a day for nobody in particular ('' person: open steps nobody holds yet)
      // all counted on one row made every card-issuing transaction of the unit queue there until
      // commit. The row is spread over eight slots, the connection's, as the approval counters.
      await sql`alter table supervision_card_days add column slot smallint not null default 0`.execute(db);
      await sql`alter table supervision_card_days drop constraint supervision_card_days_pkey`.execute(db);
      await sql`alter table supervision_card_days add primary key (day, unit_id, person_id, slot)`.execute(db);
      await cardDayFunction('(pg_backend_pid() % 8)::smallint').create.execute(db);
    },
  },
  '20261123_0500_supervision_cards_by_task': {
    async up(db: Kysely<any>) {
      // The scan asks, task by task, whether the deadline card recorded for that task has its colour already.
      await sql`create index supervision_cards_deadline_task on supervision_cards (task_id) where reason = 'deadline' and task_id is not null`.execute(db);
    },
  },
  '20261206_2300_supervision_subject_types': {
    async up(db: Kysely<any>) {
      // Cards, complaints, ratings and rectifications name their subject by type and id: any
      // module's supervised subject, not only approval cases (every existing row is one).
      for (const table of ['supervision_cards', 'supervision_complaints', 'supervision_ratings', 'supervision_rectifications']) {
        await sql`alter table ${sql.table(table)} add column subject_type text not null default 'approval_case'`.execute(db);
        await sql`alter table ${sql.table(table)} alter column subject_type drop default`.execute(db);
      }
      await sql`drop index supervision_cards_one`.execute(db);
      await sql`create unique index supervision_cards_one on supervision_cards (subject_type, case_id, step_key, reason)`.execute(db);
      await sql`alter table supervision_ratings drop constraint supervision_ratings_case_id_key`.execute(db);
      await sql`alter table supervision_ratings add constraint supervision_ratings_one unique (subject_type, case_id)`.execute(db);
      await sql`drop index supervision_complaints_case`.execute(db);
      await sql`create index supervision_complaints_case on supervision_complaints (subject_type, case_id)`.execute(db);
    },
  },
  '20261207_0510_supervision_ratings_by': {
    async up(db: Kysely<any>) {
      // A citizen's own ratings (我的评价), newest first.
      await sql`create index supervision_ratings_by on supervision_ratings (rated_by, rated_at, id) where rated_by is not null`.execute(db);
    },
  },
};
