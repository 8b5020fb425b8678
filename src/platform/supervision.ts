/**
 * The supervised subject (被监察对象): what a module offers to supervision (电子监察) about the
 * work it owns — approval cases, letters, hotline tickets, document receipts. The owning module
 * implements it over its own tables and declares it in its manifest (`supervisedSubjects`);
 * supervision reads the installed subjects from the registry and never imports a module.
 *
 * A subject is a piece of work with a tracking number, a responsible unit, a state and a deadline,
 * done in steps that have their own deadlines and responsible units and people. Every step query
 * must cost with its answer, not with the table: each one is a short range of an index over open
 * (or finished) work, and the caller's `skip` conditions are scalar subqueries evaluated per row
 * inside the same statement.
 */
import type { RawBuilder } from 'kysely';
import type { Db } from './db/index.ts';
import type { Page, PageRequest } from './db/pagination.ts';
import type { Work } from './db/work.ts';
import type { Platform } from './module.ts';
import type { FlowAction, ProcessDefinition } from './flow/engine.ts';
import type { RiskBand, StepStatsRow } from './flow/reports.ts';

export type { RiskBand, StepStatsRow } from './flow/reports.ts';

/**
 * Conditions under which a step query leaves a step out, written by supervision against its own
 * tables, given the step's columns as SQL: scalar subqueries (one index probe per step), null
 * counting as false. A provider applies both: `skipStep` (by the step's own id) as early as it
 * can, before any join, and `skip` (by subject and step key).
 */
export interface SubjectStepSkips {
  skipStep?: (step: { stepId: RawBuilder<unknown>; dueDate: RawBuilder<unknown> }) => RawBuilder<unknown>;
  skip?: (step: { subjectId: RawBuilder<unknown>; stepKey: RawBuilder<unknown>; dueDate: RawBuilder<unknown> }) => RawBuilder<unknown>;
}

/** Reasons of the findings about a subject as a whole (not one of its steps). */
export type SubjectDeadlineReason = 'case_deadline' | 'late_acceptance';

/**
 * Whether the subject already holds a card of this reason with the colour it would get now, as
 * SQL (supervision's tables), given the subject's id and the date the finding is about.
 */
export type SubjectCarded = (subject: { id: RawBuilder<unknown>; reason: SubjectDeadlineReason; dueDate: RawBuilder<unknown> }) => RawBuilder<unknown>;

/** A step with its deadline and who answers for it. */
interface SubjectStep {
  /** Unique among the subject type's steps (a process task's id, a row's id). */
  stepId: string;
  subjectId: string;
  stepKey: string;
  unitId: string;
  /** The person holding the step (open), or who finished it (finished), when known. */
  personId: string | null;
  /** The step's time limit in working days. */
  days: number;
  dueDate: string;
}

export interface SubjectOpenStep extends SubjectStep {
  openedAt: Date;
}

/** An open step on the monitor's longest-waiting list. */
export interface SubjectWaitingStep extends Omit<SubjectOpenStep, 'personId' | 'days'> {
  /** The subject's clock is stopped (补正, 听证 …): the step waits but is not late. */
  suspended: boolean;
}

export interface SubjectFinishedStep extends SubjectStep {
  finishedAt: Date;
}

export interface SubjectFinishedStepDetail extends SubjectFinishedStep {
  workingDaysUsed: number | null;
  outcome: 'early' | 'onTime' | 'overdue';
}

/** What a card, a complaint or a rating shows of its subject. */
export interface SubjectSummary {
  type: string;
  id: string;
  /** Receipt or tracking number, what the public quotes. */
  trackingNo: string;
  /** What the subject is about (the item applied for, the renewal requested …). */
  title: string;
  unitId: string;
  state: string;
  /** Finished for good (a rating is allowed). */
  finished: boolean;
  /** The subject's own deadline, when it has one. */
  dueDate: string | null;
  openedAt: Date;
  /** The citizen's account the subject belongs to, when known (a signed-in complaint or rating). */
  ownerUserId: string | null;
  /** What ratings are grouped by besides the unit (approval: the catalogue item). */
  categoryId: string | null;
  /** The staff console's page of the subject. */
  staffLink: string;
  /** The public page (progress query), when there is one. */
  publicLink: string | null;
  /** The names of the subject's steps by key (受理 for accept), for cards and the monitor. */
  stepNames?: Record<string, string>;
}

export interface SubjectStepState {
  stepId: string;
  stepKey: string;
  unitId: string;
  state: 'open' | 'done' | string;
  personId: string | null;
  finishedBy: string | null;
  days: number;
  dueDate: string;
  finishedAt: Date | null;
}

/** Everything supervision's rules check about one subject when it changes; the optional parts are what the subject has. */
export interface SubjectFacts {
  summary: SubjectSummary;
  /** Its steps, open and finished. */
  steps: SubjectStepState[];
  /** The clock runs (a stopped clock issues no deadline finding for its open steps). */
  running: boolean;
  /** When it runs on the process engine: the definition and the log, replayed to find actions out of order. */
  process?: { definition: ProcessDefinition; actions: Array<{ payload: FlowAction; actorId: string | null; at: Date }> };
  /** Acceptance (受理) with its own deadline. */
  acceptance?: { acceptedAt: Date | null; dueDate: string; acceptedBy: string | null; stepId: string | null; firstStep: string };
  /** Correction requests (补正): how many, and who asked the second time. */
  corrections?: { count: number; secondBy: string | null };
  /** Rejections with their stated reasons. */
  rejections?: Array<{ stepKey: string; opinion: string | null; by: string | null; unitId: string | null; stepId: string | null }>;
  /** Fee standard and what was charged, in fen. */
  fee?: { standardFen: number; chargedFen: number | null };
  /** The subject's own event log (for order checks): acceptance once, nothing after the end. */
  events?: Array<{ seq: number; type: string; at: Date }>;
}

/** A finding about the subject as a whole, from `deadlines`. */
export interface SubjectDeadlineFinding {
  subjectId: string;
  unitId: string;
  reason: SubjectDeadlineReason;
  color: 'yellow' | 'red';
  dueDate: string;
}

/** What the subject's event says changed. */
export interface SubjectChange {
  subjectId: string;
  action: string;
  stepKey: string | null;
}

/** One event of the owning module that means "this subject changed", and how to read it. */
export interface SubjectChangeEvent {
  /** An event type the owning module publishes. */
  event: string;
  // The event is typed by its module; the registry passes it through unchanged.
  change(event: any): SubjectChange;
}

/** Finished subjects of a period per unit, and how many of them had a correction request. */
export type FinishedSubjectTotals = Map<string, { finishedCases: number; correctedCases: number }>;

export interface SupervisedSubject {
  /** Stored with every card, complaint and rating: '<module>_<what>', e.g. 'approval_case'. */
  type: string;
  /** Catalogue key of the subject's name (审批件, 换证申请 …). */
  labelKey: string;
  /** Events of the owning module after which supervision checks the subject, in the publisher's unit of work. */
  changedBy: SubjectChangeEvent[];

  // ---- steps (the scan, the monitor)
  /** Open steps of running subjects whose time limit lies in a band and whose due date is on or before the band's `dueBy`. */
  openStepsAtRisk(db: Db, bands: RiskBand[], options: { limit?: number } & SubjectStepSkips): Promise<SubjectOpenStep[]>;
  /** Steps finished after the end of their due date (Asia/Shanghai), finished at or after `since`. */
  stepsFinishedLate(db: Db, since: Date, options: { limit?: number } & SubjectStepSkips): Promise<SubjectFinishedStep[]>;
  /** Open steps opened first, among the units given (null: all). */
  longestWaitingSteps(db: Db, limit: number, unitIds: string[] | null): Promise<SubjectWaitingStep[]>;
  /** Findings about whole subjects due by `dueBy` (their own deadline, a late acceptance), less those `carded` already. */
  deadlines?(db: Db, query: { today: string; dueBy: string; carded: SubjectCarded }): Promise<SubjectDeadlineFinding[]>;

  // ---- the rules on a change
  facts(work: Work, subjectId: string): Promise<SubjectFacts | null>;

  // ---- the monitor
  /** The open states, in the order the monitor shows them, with their labels. */
  openStates: Array<{ state: string; labelKey: string }>;
  /** Open subjects per unit and state (from counters kept with the rows: a few rows per unit). */
  openCounts(db: Db, unitIds: string[] | null): Promise<Array<{ unitId: string; state: string; count: number }>>;
  /** The same figures counted from the subjects themselves (reconciliation of the counters). */
  openCountsFromSubjects?(db: Db, unitIds: string[] | null): Promise<Array<{ unitId: string; state: string; count: number }>>;
  /** The subjects behind one cell of openCounts, newest first, keyset-paginated on (openedAt, id). */
  openSubjects(db: Db, unitId: string, state: string, page: PageRequest): Promise<Page<SubjectSummary>>;

  // ---- cards, complaints, ratings
  summaries(db: Db, ids: string[]): Promise<Map<string, SubjectSummary>>;
  /** The subject with this tracking number when `phone` is its applicant's; null otherwise (the two look the same). */
  byTrackingNoAndPhone(db: Db, platform: Pick<Platform, 'crypto' | 'fieldKey'>, trackingNo: string, phone: string): Promise<SubjectSummary | null>;
  /** The subject with this tracking number (staff recording a complaint received by phone). */
  byTrackingNo(db: Db, trackingNo: string): Promise<SubjectSummary | null>;
  /** Names of the rating categories (approval: items by id). */
  categoryNames?(db: Db, ids: string[]): Promise<Map<string, { code: string | null; name: string }>>;

  // ---- statistics
  /** Finished steps of the days [fromDay, toDay] per unit or person, from a daily roll-up. */
  finishedStepTotals(db: Db, filter: { fromDay: string; toDay: string; unitIds: string[] | null }, groupBy: 'unit' | 'person'): Promise<StepStatsRow[]>;
  /** The same counted from the steps themselves in [from, to): the reference the roll-up is reconciled with. */
  finishedStepCounts(db: Db, filter: { from: Date; to: Date; unitIds: string[] | null }, groupBy: 'unit' | 'person'): Promise<StepStatsRow[]>;
  /** The finished steps behind a figure, keyset-paginated on (finishedAt, stepId). */
  finishedStepsPage(
    db: Db,
    filter: { from: Date; to: Date; unitIds: string[] | null; unitId?: string; personId?: string; outcome?: 'onTime' | 'early' | 'overdue' },
    page: { limit: number; after?: [string, string] | null },
  ): Promise<SubjectFinishedStepDetail[]>;
  /** Subjects finished on the days [fromDay, toDay] per unit, and how many had a correction (from a roll-up). */
  finishedSubjectTotals?(db: Db, fromDay: string, toDay: string, unitIds: string[] | null): Promise<FinishedSubjectTotals>;
  /** The same counted from the subjects finished in [from, to). */
  finishedSubjectCounts?(db: Db, from: Date, to: Date, unitIds: string[] | null): Promise<FinishedSubjectTotals>;
}
