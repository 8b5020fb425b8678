import type { Generated, Selectable } from 'kysely';
import type { CardColor, CardReason, CardStatus } from './rules.ts';

export interface SettingTable {
  key: string;
  value: unknown;
  updated_at: Date;
  updated_by: string | null;
}

export interface CardTable {
  id: string;
  /** The supervised subject's type (src/platform/supervision.ts); case_id is its id. */
  subject_type: string;
  case_id: string;
  /** '' for a finding about the whole case. */
  step_key: string;
  reason: CardReason;
  color: CardColor;
  status: CardStatus;
  unit_id: string;
  person_id: string | null;
  task_id: string | null;
  due_date: string | null;
  detail: Record<string, unknown>;
  issued_at: Date;
  upgraded_at: Date | null;
  explained_at: Date | null;
  decided_at: Date | null;
  decided_by: string | null;
  version: Generated<number>;
}

export type CardEventType = 'issued' | 'upgraded' | 'explained' | 'confirmed' | 'revoked';

export interface CardEventTable {
  card_id: string;
  seq: number;
  type: CardEventType;
  color: CardColor;
  text: string | null;
  attachments: string[];
  actor_id: string | null;
  actor_name: string | null;
  at: Date;
}

export interface ScanMarkTable {
  name: string;
  at: Date;
}

export type ComplaintState = 'open' | 'handling' | 'replied';

export interface ComplaintTable {
  id: string;
  subject_type: string;
  case_id: string;
  unit_id: string;
  receipt_no: string;
  channel: 'online' | 'phone';
  complainant_user_id: string | null;
  complainant_name: string;
  complainant_phone_sealed: string | null;
  content: string;
  state: ComplaintState;
  due_date: string;
  filed_at: Date;
  filed_by: string | null;
  reply: string | null;
  replied_at: Date | null;
  replied_by: string | null;
  version: Generated<number>;
}

export interface ComplaintNoteTable {
  complaint_id: string;
  seq: number;
  type: 'filed' | 'note' | 'replied';
  text: string;
  actor_id: string | null;
  actor_name: string | null;
  at: Date;
}

export interface RatingTable {
  id: string;
  subject_type: string;
  case_id: string;
  unit_id: string;
  item_id: string;
  score: number;
  comment: string | null;
  channel: 'public' | 'account';
  rated_by: string | null;
  rated_at: Date;
}

export interface RectificationTable {
  id: string;
  rating_id: string;
  subject_type: string;
  case_id: string;
  unit_id: string;
  state: 'open' | 'done';
  due_date: string;
  opened_at: Date;
  measures: string | null;
  done_at: Date | null;
  done_by: string | null;
  version: Generated<number>;
}

export interface RectificationCallTable {
  rectification_id: string;
  seq: number;
  reached: boolean;
  satisfied: boolean | null;
  note: string;
  actor_id: string | null;
  actor_name: string | null;
  at: Date;
}

export type SupervisionTables = {
  supervision_settings: SettingTable;
  supervision_cards: CardTable;
  supervision_card_events: CardEventTable;
  supervision_scan_marks: ScanMarkTable;
  supervision_complaints: ComplaintTable;
  supervision_complaint_notes: ComplaintNoteTable;
  supervision_ratings: RatingTable;
  supervision_rectifications: RectificationTable;
  supervision_rectification_calls: RectificationCallTable;
};

export type CardRow = Selectable<CardTable>;
export type ComplaintRow = Selectable<ComplaintTable>;
export type RatingRow = Selectable<RatingTable>;
export type RectificationRow = Selectable<RectificationTable>;
