import type { Generated, Selectable } from 'kysely';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../platform/db/index.ts';
import { Id, Strict } from '../../platform/http/index.ts';

/** The meetings module's tables (typed private tables: `db.withTables<MeetingsTables>()`). */
export interface MeetingTable {
  id: string;
  organiser_unit_id: string;
  created_by: string;
  state: MeetingState;
  title: string;
  starts_at: Date;
  ends_at: Date | null;
  place: string;
  agenda: string;
  contact: string | null;
  contact_phone: string | null;
  registration_deadline: Date;
  max_attendees_per_unit: number;
  invited_unit_ids: string[];
  sent_at: Date | null;
  sent_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

export interface RegistrationTable {
  id: string;
  meeting_id: string;
  unit_id: string;
  state: RegistrationState;
  reason: string | null;
  answered_at: Date | null;
  answered_by: string | null;
  reminded_at: Date | null;
  version: Generated<number>;
}

export interface AttendeeTable {
  id: string;
  registration_id: string;
  meeting_id: string;
  unit_id: string;
  seq: number;
  name: string;
  position: string;
  phone_sealed: string;
  check_in_code: string;
  checked_in_at: Date | null;
  checked_in_by: string | null;
}

export type MeetingsTables = {
  meetings_meetings: MeetingTable;
  meetings_registrations: RegistrationTable;
  meetings_attendees: AttendeeTable;
};

export type MeetingRow = Selectable<MeetingTable>;
export type RegistrationRow = Selectable<RegistrationTable>;
export type AttendeeRow = Selectable<AttendeeTable>;

export const MEETING_STATES = ['draft', 'sent', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];
export const REGISTRATION_STATES = ['pending', 'registered', 'declined'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** Limits. */
export const MAX_INVITED_UNITS = 2000;
export const MAX_ATTENDEES_PER_UNIT = 50;
export const MAX_ATTACHMENTS = 20;

/** Owner type of a notice's attachments in the files module. */
export const ATTACHMENT_OWNER = 'meetings.meeting';
/** Object types of the audit log. */
export const MEETING_OBJECT = 'meetings_meeting';

/** Permissions. */
export const ORGANISE_PERMISSION = 'meetings.organise';
export const REGISTER_PERMISSION = 'meetings.register';
export const OVERSIGHT_PERMISSION = 'meetings.oversee';

/** The module's tables on a connection or a unit of work's transaction (`work.db`). */
export const meetingsDb = (db: Db) => db.withTables<MeetingsTables>();

// ---------------------------------------------------------------- request bodies

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Phone = Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+\\- ()]+$' });

export const MeetingFields = {
  title: Text(200),
  startsAt: Type.String({ format: 'date-time', maxLength: 40, description: 'when the meeting begins (ISO 8601, with offset); in the future' }),
  endsAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'when it ends; after startsAt' })),
  place: Text(200),
  agenda: Text(10_000),
  invitedUnitIds: Type.Array(Id, { minItems: 1, maxItems: MAX_INVITED_UNITS, description: `the invited units (at most ${MAX_INVITED_UNITS}); unknown units are refused with their ids` }),
  registrationDeadline: Type.String({ format: 'date-time', maxLength: 40, description: 'registration closes then; before startsAt' }),
  maxAttendeesPerUnit: Type.Integer({ minimum: 1, maximum: MAX_ATTENDEES_PER_UNIT }),
  attachments: Type.Optional(Type.Array(Id, { maxItems: MAX_ATTACHMENTS, description: 'ids of files uploaded through POST /api/v1/files' })),
  contact: Type.Optional(Text(50)),
  contactPhone: Type.Optional(Phone),
};

export const CreateMeetingBody = Strict(MeetingFields);
export const UpdateMeetingBody = Strict(
  {
    title: Type.Optional(MeetingFields.title),
    startsAt: Type.Optional(MeetingFields.startsAt),
    endsAt: Type.Optional(Type.Union([MeetingFields.startsAt, Type.Null()])),
    place: Type.Optional(MeetingFields.place),
    agenda: Type.Optional(MeetingFields.agenda),
    invitedUnitIds: Type.Optional(MeetingFields.invitedUnitIds),
    registrationDeadline: Type.Optional(MeetingFields.registrationDeadline),
    maxAttendeesPerUnit: Type.Optional(MeetingFields.maxAttendeesPerUnit),
    attachments: MeetingFields.attachments,
    contact: Type.Optional(Type.Union([Text(50), Type.Null()])),
    contactPhone: Type.Optional(Type.Union([Phone, Type.Null()])),
  },
  { minProperties: 1 },
);

export const AttendeeInput = Strict({ name: Text(50), position: Text(100), phone: Phone });
export const RegisterBody = Strict({
  attendees: Type.Optional(Type.Array(AttendeeInput, { minItems: 1, maxItems: 200, description: `at most the meeting's maxAttendeesPerUnit (else 422)` })),
  decline: Type.Optional(Type.Literal(true)),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});
export const CancelBody = Strict({ reason: Text(500) });
export const CheckInBody = Strict({ code: Type.String({ minLength: 1, maxLength: 20 }) });

export interface MeetingInput {
  title: string;
  startsAt: string;
  endsAt?: string | null;
  place: string;
  agenda: string;
  invitedUnitIds: string[];
  registrationDeadline: string;
  maxAttendeesPerUnit: number;
  attachments?: string[];
  contact?: string | null;
  contactPhone?: string | null;
}
export type MeetingPatch = Partial<MeetingInput>;
export interface AttendeeInputValue {
  name: string;
  position: string;
  phone: string;
}
export type RegistrationInput = { attendees?: AttendeeInputValue[]; decline?: true; reason?: string };
