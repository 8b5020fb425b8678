import { sql, type Kysely, type Migration } from 'kysely';

export const notifyMigrations: Record<string, Migration> = {
  '20261101_0600_notify_outbox': {
    async up(db: Kysely<any>) {
      await sql`
        create table notify_outbox (
          id text primary key,
          channel text not null check (channel in ('sms', 'email', 'inapp')),
          user_id text,
          address_sealed text,
          recipient_key text not null,
          template text not null,
          params jsonb not null default '{}',
          lang text not null check (lang in ('zh-CN', 'en')),
          status text not null check (status in ('created', 'sending', 'delivered', 'failed')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null,
          lease_until timestamptz,
          claim_token text,
          last_error text,
          provider_ref text,
          created_at timestamptz not null,
          delivered_at timestamptz,
          dedupe_key text unique,
          check (channel <> 'inapp' or user_id is not null),
          check (channel = 'inapp' or address_sealed is not null or status = 'failed')
        )`.execute(db);
      // Workers read only this: its size follows the messages waiting, not the whole history.
      await sql`create index notify_outbox_due on notify_outbox (next_attempt_at) where status in ('created', 'sending')`.execute(db);
      await sql`create index notify_outbox_recipient on notify_outbox (recipient_key, delivered_at)`.execute(db);
      await sql`create index notify_outbox_list on notify_outbox (created_at desc, id desc)`.execute(db);
      await sql`create index notify_outbox_status on notify_outbox (status, created_at desc, id desc)`.execute(db);

      await sql`
        create table notify_inbox (
          id text primary key,
          user_id text not null,
          title text not null,
          body text not null,
          link text,
          created_at timestamptz not null,
          read_at timestamptz
        )`.execute(db);
      await sql`create index notify_inbox_user on notify_inbox (user_id, created_at desc, id desc)`.execute(db);
      await sql`create index notify_inbox_unread on notify_inbox (user_id, created_at desc, id desc) where read_at is null`.execute(db);
    },
  },
};
