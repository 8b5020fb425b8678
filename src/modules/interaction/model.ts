import type { Generated, Selectable } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

/**
 * Citizen interaction (政民互动): letters to the mayor's and the units' mailboxes, the message
 * board, disclosure requests (依申请公开) and 12345 hotline tickets are one kind of case, routed
 * down the region tree, with one deadline clock and one set of statistics.
 */
export const CHANNELS = ['mayor_mailbox', 'unit_mailbox', 'message_board', 'disclosure_request', 'hotline'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels whose question and answer may be published on the message board (after moderation). */
export const PUBLIC_CHANNELS: readonly Channel[] = ['mayor_mailbox', 'unit_mailbox', 'message_board'];

/**
 * received: waiting at the dispatching office (or the hotline) to be assigned;
 * assigned: with a unit that handles it; clarifying: waiting for the writer (the clock stops);
 * reviewing: an answer drafted, waiting for the unit's leader; answered: the answer went to the
 * writer; merged: a duplicate, answered with the case it was merged into.
 */
export const CASE_STATES = ['received', 'assigned', 'clarifying', 'reviewing', 'answered', 'merged'] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** The statutory answers of a disclosure request (政府信息公开条例 第三十六条). */
export const ANSWER_TYPES = ['public', 'partial', 'withheld', 'not_exist', 'not_responsible', 'correction_needed', 'not_processed'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

export const URGENCIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** none: not for the board; pending: waiting for a moderator; published; hidden (with a reason). */
export const MODERATION_STATES = ['none', 'pending', 'published', 'hidden'] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];

/** Default time limits in working days (configurable per channel in interaction_deadlines). */
export const DEFAULT_DEADLINES: Record<Channel, number> = { mayor_mailbox: 15, unit_mailbox: 15, message_board: 10, disclosure_request: 20, hotline: 5 };
export const HOTLINE_DEADLINES: Record<Urgency, number> = { urgent: 1, high: 3, normal: 5, low: 10 };
/** A disclosure request may be extended once, by at most this many working days, with a reason. */
export const MAX_EXTENSION_DAYS = 20;
/** An unsatisfied writer may reopen an answered case once, within this many calendar days. */
export const REOPEN_WITHIN_DAYS = 10;

/** The tracking number's prefix per channel: 信箱, 留言, 依申请, 12345. */
export const TRACKING_PREFIX: Record<Channel, string> = { mayor_mailbox: 'SZ', unit_mailbox: 'BM', message_board: 'LY', disclosure_request: 'YSQ', hotline: 'RX' };

export const LIMITS = { title: 100, body: 50_000, name: 50, email: 200, reason: 1000, answer: 50_000, comment: 1000, category: 50 } as const;

export const DISPATCH_PERMISSION = 'interaction.dispatch';
export const HANDLE_PERMISSION = 'interaction.handle';
export const APPROVE_PERMISSION = 'interaction.approve';
export const MODERATE_PERMISSION = 'interaction.moderate';
export const HOTLINE_PERMISSION = 'interaction.hotline';
export const STATS_PERMISSION = 'interaction.stats';
export const OVERSIGHT_PERMISSION = 'interaction.oversee';
export const SETTINGS_PERMISSION = 'interaction.settings';

/** Files the writer attached to a case (downloaded by the units it is with and by the writer). */
export const ATTACHMENT_OWNER = 'interaction.case';
/** The unit's answer documents (答复书, the disclosed documents): the writer downloads those sent with the answer. */
export const ANSWER_FILES_OWNER = 'interaction.answer';
/** Files a letter may carry, and an answer. */
export const MAX_LETTER_FILES = 5;
export const MAX_ANSWER_FILES = 20;
/** The process engine's subject type of a case. */
export const CASE_SUBJECT = 'interaction.case';

export interface CaseTable {
  id: string;
  tracking_no: string;
  channel: Channel;
  state: CaseState;
  title: string;
  body: string;
  is_public: boolean;
  category: string | null;
  /** The unit written to (unit mailbox, disclosure request), or chosen by the writer of a mayor's letter. */
  target_unit_id: string | null;
  /** The office that dispatches it (mayor's mailbox, hotline), null when it went straight to a unit. */
  dispatcher_unit_id: string | null;
  /** The unit that has it now (the dispatcher while received). */
  handling_unit_id: string;
  /** Where it happened (hotline: the caller's location in the region tree). */
  region_code: string | null;
  urgency: Urgency | null;
  /** The writer: an account when signed in; name, phone, e-mail and ID number sealed with SM4. */
  writer_user_id: string | null;
  writer_name_sealed: string;
  writer_phone_sealed: string;
  writer_email_sealed: string | null;
  writer_id_no_sealed: string | null;
  /** Shown to staff and on the board instead of the name: 张**. */
  writer_name_masked: string;
  /** HMAC-SM3 of the phone number: rate limits and lookups without opening the sealed value. */
  writer_phone_hash: string;
  /** The writer's private query code, sealed (a duplicate post gets it back). */
  query_code_sealed: string;
  /** SM3 over channel, phone, title, body and the minute: the same letter posted twice is one case. */
  dedupe_key: string;
  deadline_days: number;
  extension_days: Generated<number>;
  extension_reason: string | null;
  received_at: Date;
  /** The case's own deadline: working days from receipt, plus extensions and clock stops. */
  due_date: string;
  /** Working days the clock was stopped (clarification). */
  stopped_days: Generated<number>;
  answered_at: Date | null;
  answer_body: string | null;
  answer_type: AnswerType | null;
  answered_by: string | null;
  answer_approved_by: string | null;
  /** The draft waiting for the leader (reviewing). */
  draft_answer_body: string | null;
  draft_answer_type: AnswerType | null;
  draft_publish: Generated<boolean>;
  /** File ids of the draft's answer documents, and of those sent with the answer (attached to ANSWER_FILES_OWNER). */
  draft_answer_files: Generated<string[]>;
  answer_files: Generated<string[]>;
  moderation: Generated<ModerationState>;
  moderation_reason: string | null;
  /** Words of the sensitive-word list found in the writer's text (the moderation queue flags them). */
  flagged_words: string[];
  published_at: Date | null;
  /** What the board shows: the question and answer with personal data removed. */
  public_body: string | null;
  public_answer: string | null;
  merged_into_id: string | null;
  rating_score: number | null;
  rating_comment: string | null;
  rated_at: Date | null;
  reopen_count: Generated<number>;
  reopened_at: Date | null;
  /** Hotline: the return visit (回访) and the caller's satisfaction with it, 1..5. */
  visited_at: Date | null;
  visited_by: string | null;
  visit_satisfaction: number | null;
  visit_note: string | null;
  /** Hotline: answered at once from the knowledge base (直接办结). */
  knowledge_id: string | null;
  /** Hotline: the operator marked it 督办 (supervised by the hotline office). */
  supervised_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

/** The case's own log (the process engine's log holds each handling round; this one ties them together). */
export interface CaseEventTable {
  id: Generated<number>;
  case_id: string;
  type: string;
  actor_id: string | null;
  unit_id: string | null;
  at: Date;
  details: Record<string, unknown>;
}

/** Per channel (and hotline urgency), the time limit in working days. */
export interface DeadlineTable {
  channel: Channel;
  /** '' for every channel but the hotline. */
  urgency: string;
  days: number;
  updated_at: Date;
}

export interface SensitiveWordTable {
  word: string;
  created_at: Date;
  created_by: string | null;
}

/** The hotline's knowledge base: answers an operator gives at once (直接办结). */
export interface KnowledgeTable {
  id: string;
  category: string;
  question: string;
  answer: string;
  keywords: string[];
  active: boolean;
  updated_at: Date;
  updated_by: string | null;
}

/** A citizen's upload for a letter not yet sent, with the HMAC of the token that proves its uploader. */
export interface UploadTable {
  file_id: string;
  token_hash: string;
  created_at: Date;
}

export type InteractionTables = {
  interaction_uploads: UploadTable;
  interaction_cases: CaseTable;
  interaction_case_events: CaseEventTable;
  interaction_deadlines: DeadlineTable;
  interaction_sensitive_words: SensitiveWordTable;
  interaction_knowledge: KnowledgeTable;
};

export type CaseRow = Selectable<CaseTable>;

export const interactionDb = (db: Db) => db.withTables<InteractionTables>();

/** Hotline: the category of an efficiency complaint (效能投诉) against a unit, which also goes to supervision. */
export const EFFICIENCY_COMPLAINT = '效能投诉';
/** Hotline: the categories the operator screen offers (the API takes any category). */
export const HOTLINE_CATEGORIES = ['咨询', '求助', '投诉', '举报', '建议', EFFICIENCY_COMPLAINT, '表扬'] as const;
/** The sensitive-word list: at most this many words of 1..20 characters. */
export const SENSITIVE_WORDS_MAX = 2000;
export const SENSITIVE_WORD_LENGTH = 20;
/** What redaction puts in place of personal data on the board. */
export const REDACTED = '＊＊＊';
