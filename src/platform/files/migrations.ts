import { sql, type Kysely, type Migration } from 'kysely';

export const filesMigrations: Record<string, Migration> = {
  '20261101_0500_files_files': {
    async up(db: Kysely<any>) {
      // One row per upload; rows with the same content share one stored blob (sm3).
      await sql`
        create table files (
          id text primary key,
          sm3 text not null check (sm3 ~ '^[0-9a-f]{64}$'),
          size bigint not null check (size > 0),
          mime text not null,
          name text not null check (length(name) between 1 and 200),
          uploaded_by text not null references users (id),
          uploaded_at timestamptz not null,
          owner_type text,
          owner_id text,
          attached_at timestamptz,
          check ((owner_type is null) = (owner_id is null) and (owner_id is null) = (attached_at is null))
        )`.execute(db);
      await sql`create index files_sm3 on files (sm3)`.execute(db);
      await sql`create index files_owner on files (owner_type, owner_id) where owner_id is not null`.execute(db);
      // The purge of abandoned uploads reads only this small part of the table.
      await sql`create index files_unattached on files (uploaded_at) where owner_id is null`.execute(db);
    },
  },
  '20261208_0700_files_unowned_uploads': {
    async up(db: Kysely<any>) {
      // An upload owned by no account: a citizen's attachment to a letter written without signing
      // in. Nobody downloads it and only attachUnownedFiles attaches it, after its module proved
      // the uploader (a token given with the upload); unattached, it is purged like any other.
      await sql`alter table files alter column uploaded_by drop not null`.execute(db);
    },
  },
};
