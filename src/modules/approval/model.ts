import { Type, type Static } from '@sinclair/typebox';
import type { Generated, Selectable } from 'kysely';
import { Strict, Id } from '../../platform/http/schemas.ts';
import type { InstanceState, OutcomeDefinition, ProcessDefinition } from '../../platform/flow/engine.ts';

// ---------------------------------------------------------------- request schemas

const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });
const Phone = Type.String({ minLength: 3, maxLength: 30 });

export const MaterialSchema = Strict({
  key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  name: Text(200),
  required: Type.Boolean(),
  copies: Type.Integer({ minimum: 0, maximum: 99 }),
  allowPending: Type.Boolean({ description: '容缺受理: may be handed in after acceptance' }),
  description: Type.Optional(Text(1000, 0)),
  /** 空白表格: a blank form to download (a file of the files module, public once the item is published). */
  blankFileId: Type.Optional(Id),
  /** 示例样表: a filled-in example to download. */
  exampleFileId: Type.Optional(Id),
});

export const StepSchema = Strict({
  key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  name: Text(100),
  unitId: Id,
  role: Type.Union([Type.Literal('window_clerk'), Type.Literal('approver'), Type.Literal('unit_leader'), Type.Literal('village_officer')]),
  days: Type.Integer({ minimum: 1, maximum: 365 }),
});

export const ProcessSchema = Strict({
  stages: Type.Array(Type.Union([StepSchema, Strict({ parallel: Type.Array(StepSchema, { minItems: 2, maxItems: 20 }), mode: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('any')])) })]), {
    minItems: 1,
    maxItems: 30,
  }),
});

export const FormFieldSchema = Strict({
  key: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,39}$' }),
  label: Text(100),
  type: Type.Union([Type.Literal('text'), Type.Literal('textarea'), Type.Literal('number'), Type.Literal('date'), Type.Literal('select')]),
  required: Type.Boolean(),
  options: Type.Optional(Type.Array(Text(100), { maxItems: 50 })),
  maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
});

export const FeeSchema = Strict({
  charged: Type.Boolean(),
  basis: Type.Optional(Text(500, 0)),
  amountFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_00 })),
});

export const TARGETS = ['person', 'enterprise'] as const;
export type Target = (typeof TARGETS)[number];
export const HANDLING_TYPES = ['instant', 'promised'] as const;
export type HandlingType = (typeof HANDLING_TYPES)[number];

export const FaqSchema = Strict({ question: Text(300), answer: Text(2000) });

/** The standard elements of a service item (the 14 elements plus the process). */
export const ItemInputSchema = Strict({
  code: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z-]{4,40}$' })),
  name: Text(200),
  kind: Type.Union([Type.Literal('licensing'), Type.Literal('non_licensing'), Type.Literal('public_service')]),
  unitId: Id,
  legalBasis: Text(5000),
  conditions: Text(5000),
  materials: Type.Array(MaterialSchema, { maxItems: 100 }),
  statutoryDays: Type.Integer({ minimum: 1, maximum: 365 }),
  promisedDays: Type.Integer({ minimum: 1, maximum: 365 }),
  fee: FeeSchema,
  resultName: Text(200),
  maxVisits: Type.Integer({ minimum: 0, maximum: 10 }),
  consultPhone: Phone,
  complaintPhone: Phone,
  process: ProcessSchema,
  formFields: Type.Optional(Type.Array(FormFieldSchema, { maxItems: 100 })),
  themes: Type.Optional(Type.Array(Text(50), { maxItems: 20 })),
  lifeEvents: Type.Optional(Type.Array(Text(50), { maxItems: 20 })),
  /** 申请对象: natural persons (个人办事), legal persons (法人办事), or both. Default both. */
  targets: Type.Optional(Type.Array(Type.Union([Type.Literal('person'), Type.Literal('enterprise')]), { minItems: 1, maxItems: 2 })),
  /** 办理地点 */
  place: Type.Optional(Text(500, 0)),
  /** 办理时间 */
  hours: Type.Optional(Text(300, 0)),
  /** 即办件 (handled on the spot) or 承诺件 (within the promised days). Default promised. */
  handlingType: Type.Optional(Type.Union([Type.Literal('instant'), Type.Literal('promised')])),
  /** 常见问题 */
  faq: Type.Optional(Type.Array(FaqSchema, { maxItems: 30 })),
});
export type ItemInput = Static<typeof ItemInputSchema>;

export const ApplicantSchema = Strict({
  kind: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
  name: Text(200),
  idNumber: Type.Optional(Type.String({ maxLength: 18 })),
  creditCode: Type.Optional(Type.String({ maxLength: 18 })),
  phone: Type.String({ maxLength: 20 }),
});

export const ApplicationInputSchema = Strict({
  itemId: Id,
  channel: Type.Union([Type.Literal('online'), Type.Literal('window')]),
  applicant: ApplicantSchema,
  form: Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 5000 }), Type.Number(), Type.Boolean(), Type.Null()])),
  materials: Type.Array(Strict({ materialKey: Type.String({ maxLength: 40 }), fileId: Id }), { maxItems: 200 }),
});
export type ApplicationInput = Static<typeof ApplicationInputSchema>;

export const TASK_ACTIONS = ['accept', 'approve', 'reject', 'request_correction', 'return'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

// ---------------------------------------------------------------- tables

export type ItemStatus = 'draft' | 'published' | 'superseded' | 'withdrawn';
export type CaseState = 'submitted' | 'accepted' | 'correction_requested' | 'in_review' | 'approved' | 'rejected' | 'withdrawn';
export const OPEN_CASE_STATES: CaseState[] = ['submitted', 'accepted', 'correction_requested', 'in_review'];

export interface ItemTable {
  id: string;
  code: string;
  version: number;
  status: ItemStatus;
  name: string;
  kind: ItemInput['kind'];
  unit_id: string;
  legal_basis: string;
  conditions: string;
  materials: ItemInput['materials'];
  statutory_days: number;
  promised_days: number;
  fee: ItemInput['fee'];
  result_name: string;
  max_visits: number;
  consult_phone: string;
  complaint_phone: string;
  process: ProcessDefinition;
  form_fields: NonNullable<ItemInput['formFields']>;
  themes: string[];
  life_events: string[];
  // The guide's later elements have defaults in the table: rows written before them need none.
  targets: Generated<Target[]>;
  place: Generated<string>;
  hours: Generated<string>;
  handling_type: Generated<HandlingType>;
  faq: Generated<NonNullable<ItemInput['faq']>>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  edit_version: Generated<number>;
}

export interface ApplicationTable {
  id: string;
  receipt_no: string;
  item_id: string;
  item_code: string;
  item_version: number;
  unit_id: string;
  channel: 'online' | 'window';
  applicant_kind: 'person' | 'enterprise';
  applicant_name: string;
  applicant_id_sealed: string;
  applicant_id_index: string;
  applicant_phone_sealed: string;
  applicant_phone_index: string;
  applicant_user_id: string | null;
  submitted_by: string | null;
  form: Record<string, unknown>;
  state: CaseState;
  flow_instance_id: string;
  submitted_at: Date;
  accept_due_date: string;
  accepted_at: Date | null;
  due_date: string | null;
  finished_at: Date | null;
  correction_count: Generated<number>;
  certificate_id: string | null;
  version: Generated<number>;
}

export interface MaterialTable {
  application_id: string;
  material_key: string;
  file_id: string;
  round: Generated<number>;
  added_at: Date;
}

export interface EventTable {
  application_id: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actor_id: string | null;
  actor_name: string | null;
  at: Date;
}

export interface CertificateTable {
  id: string;
  application_id: string;
  certificate_no: string;
  verification_code: string;
  unit_id: string;
  content: Record<string, unknown>;
  content_sm3: string;
  signature: string;
  public_key: string;
  issued_at: Date;
  revoked_at: Date | null;
}

export const DOCUMENT_KINDS = ['certificate', 'acceptance', 'non_acceptance', 'correction', 'denial'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
/** The notices among the documents: all but the certificate. */
export const NOTICE_DOCUMENT_KINDS = ['acceptance', 'non_acceptance', 'correction', 'denial'] as const;
export type NoticeDocumentKind = (typeof NOTICE_DOCUMENT_KINDS)[number];

export interface DocumentTable {
  application_id: string;
  kind: DocumentKind;
  file_id: string;
  document_no: string;
  issued_at: Date;
  created_at: Date;
}

export interface UnitSealTable {
  unit_id: string;
  file_id: string;
  set_by: string;
  set_at: Date;
}

export type ApprovalTables = {
  approval_items: ItemTable;
  approval_applications: ApplicationTable;
  approval_materials: MaterialTable;
  approval_events: EventTable;
  approval_certificates: CertificateTable;
  approval_documents: DocumentTable;
  approval_unit_seals: UnitSealTable;
};
export type ItemRow = Selectable<ItemTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type CertificateRow = Selectable<CertificateTable>;

// ---------------------------------------------------------------- approval's words for the process engine

/**
 * How a step of an approval case ends: accept and approve both advance (`approve` in the log),
 * a rejection (不予受理 at acceptance, 不予许可 later) ends the case, a return sends it back.
 */
export const APPROVAL_OUTCOMES: OutcomeDefinition[] = [
  { key: 'approve', effect: 'advance' },
  { key: 'reject', effect: 'end', ends: 'rejected' },
  { key: 'return', effect: 'return' },
];
/** Why an approval case's clock stops: 补正 (with a correction request), 听证, 检验检测专家评审, 公示. */
export const APPROVAL_CLOCK_STOPS = ['correction', 'hearing', 'inspection', 'public_notice'] as const;
export type ApprovalClockStop = (typeof APPROVAL_CLOCK_STOPS)[number];

/** The process an approval case runs: the item's stages with approval's outcomes and clock stops. */
export function approvalProcess(process: ProcessDefinition): ProcessDefinition {
  return { stages: process.stages, outcomes: APPROVAL_OUTCOMES, clockStops: [...APPROVAL_CLOCK_STOPS] };
}

// ---------------------------------------------------------------- case state

/**
 * A case's state from its process instance: the first stage is acceptance (受理); a clock stop
 * for correction is 补正; any rejection ends the case. Pure, so it is tested without a database.
 */
export function caseStateOf(flow: InstanceState): CaseState {
  switch (flow.status) {
    case 'withdrawn':
      return 'withdrawn';
    case 'rejected':
      return 'rejected';
    case 'completed':
      return 'approved';
    case 'suspended':
      return flow.suspendedFor === 'correction' ? 'correction_requested' : 'in_review';
    case 'not_started':
      return 'submitted';
    case 'running': {
      if (flow.stageIndex <= 0) return 'submitted';
      const reviewed = flow.steps.some((s) => s.stageIndex >= 1 && s.finishedAt !== null);
      return reviewed ? 'in_review' : 'accepted';
    }
  }
}
