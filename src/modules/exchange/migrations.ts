import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Official document exchange (公文交换): documents with their GB/T 9704-2012 elements, the receipts
 * of every recipient unit, saved groups of units and each unit's sign-off settings.
 */
export const exchangeMigrations: Record<string, Migration> = {
  '20261207_0100_exchange_documents': {
    async up(db: Kysely<any>) {
      await sql`
        create table exchange_documents (
          id text primary key,
          sending_unit_id text not null references units (id),
          drafted_by text not null,
          state text not null default 'draft' check (state in ('draft', 'in_signoff', 'signed_off', 'sent', 'recalled')),
          doc_type text not null default 'notice',
          copy_no text,
          secrecy text not null default 'none' check (secrecy in ('none', 'secret', 'confidential')),
          secrecy_period text,
          urgency text not null default 'normal' check (urgency in ('normal', 'urgent', 'extra_urgent')),
          issuing_authority text not null,
          doc_number text not null,
          signer text,
          title text not null,
          body text not null,
          main_recipient_ids jsonb not null default '[]',
          cc_recipient_ids jsonb not null default '[]',
          written_date date not null,
          notes text,
          printing_unit text,
          printed_date date,
          countersign_unit_ids jsonb not null default '[]',
          -- Set when the document is sent: SM3 of its content and attachments, SM2-signed by the sending unit.
          content_hash text,
          signature text,
          signer_public_key text,
          sent_at timestamptz,
          sent_by text,
          recalled_at timestamptz,
          recall_reason text,
          -- 转发: the receipt of the document this one forwards, keeping the chain.
          forwarded_from_receipt_id text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1
        )`.execute(db);
      await sql`create index exchange_documents_sender on exchange_documents (sending_unit_id, created_at desc, id desc)`.execute(db);
      await sql`create unique index exchange_documents_number on exchange_documents (sending_unit_id, doc_number) where state <> 'draft'`.execute(db);

      await sql`
        create table exchange_receipts (
          id text primary key,
          document_id text not null references exchange_documents (id),
          unit_id text not null references units (id),
          copy_kind text not null check (copy_kind in ('main', 'cc')),
          state text not null default 'delivered' check (state in ('delivered', 'signed', 'returned', 'recalled')),
          delivered_at timestamptz not null,
          -- When an unsigned receipt is chased (催办): 4 working hours for urgent documents, else 1 working day.
          chase_at timestamptz not null,
          chased_at timestamptz,
          reminded_at timestamptz,
          signed_at timestamptz,
          signed_by text,
          returned_at timestamptz,
          returned_by text,
          reason text,
          -- The receiving unit's SM2 signature over (document hash, unit, time), and the key it used.
          receipt_signature text,
          receipt_public_key text,
          version integer not null default 1,
          unique (document_id, unit_id)
        )`.execute(db);
      await sql`create index exchange_receipts_inbox on exchange_receipts (unit_id, state, delivered_at desc, id desc)`.execute(db);
      await sql`create index exchange_receipts_unsigned on exchange_receipts (chase_at) where state = 'delivered'`.execute(db);

      await sql`
        create table exchange_unit_groups (
          id text primary key,
          -- The unit whose clerks keep the group; null for a group of the whole installation.
          owner_unit_id text references units (id),
          name text not null,
          unit_ids jsonb not null default '[]',
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`create unique index exchange_unit_groups_name on exchange_unit_groups (coalesce(owner_unit_id, ''), name)`.execute(db);

      await sql`
        create table exchange_signoff_settings (
          unit_id text primary key references units (id),
          -- 核稿 between 拟稿 and 签发.
          review_step boolean not null default false,
          updated_at timestamptz not null
        )`.execute(db);
    },
  },
};
