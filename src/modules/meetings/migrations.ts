import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Meeting notices and registration (会议通知报名): the notices a unit sends, one registration row
 * per invited unit (written when the notice is sent), and the attendees each unit registers with
 * their check-in codes.
 */
export const meetingsMigrations: Record<string, Migration> = {
  '20261207_0400_meetings_tables': {
    async up(db: Kysely<any>) {
      await sql`
        create table meetings_meetings (
          id text primary key,
          organiser_unit_id text not null references units (id),
          created_by text not null,
          state text not null default 'draft' check (state in ('draft', 'sent', 'cancelled')),
          title text not null,
          starts_at timestamptz not null,
          ends_at timestamptz,
          place text not null,
          agenda text not null,
          contact text,
          contact_phone text,
          registration_deadline timestamptz not null,
          max_attendees_per_unit integer not null check (max_attendees_per_unit between 1 and 50),
          invited_unit_ids jsonb not null default '[]',
          sent_at timestamptz,
          sent_by text,
          cancelled_at timestamptz,
          cancel_reason text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          check (registration_deadline < starts_at),
          check (ends_at is null or ends_at > starts_at)
        )`.execute(db);
      await sql`create index meetings_meetings_organiser on meetings_meetings (organiser_unit_id, starts_at desc, id desc)`.execute(db);

      await sql`
        create table meetings_registrations (
          id text primary key,
          meeting_id text not null references meetings_meetings (id),
          unit_id text not null references units (id),
          state text not null default 'pending' check (state in ('pending', 'registered', 'declined')),
          reason text,
          answered_at timestamptz,
          answered_by text,
          reminded_at timestamptz,
          version integer not null default 1,
          unique (meeting_id, unit_id),
          check (state <> 'declined' or reason is not null)
        )`.execute(db);
      // An invited unit's meetings, newest first through the meeting's start.
      await sql`create index meetings_registrations_unit on meetings_registrations (unit_id, meeting_id)`.execute(db);

      await sql`
        create table meetings_attendees (
          id text primary key,
          registration_id text not null references meetings_registrations (id) on delete cascade,
          meeting_id text not null references meetings_meetings (id),
          unit_id text not null references units (id),
          seq integer not null,
          name text not null,
          position text not null,
          -- Personal data: SM4-sealed with the platform's field key.
          phone_sealed text not null,
          check_in_code text not null,
          checked_in_at timestamptz,
          checked_in_by text,
          unique (meeting_id, check_in_code),
          unique (registration_id, seq)
        )`.execute(db);
    },
  },
};
