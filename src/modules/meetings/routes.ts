import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Answer, Id, ListQuery, Strict, StringEnum, actorOf } from '../../platform/http/index.ts';
import { inTransaction, type Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { contentDisposition } from '../../platform/files/names.ts';
import { CancelBody, CheckInBody, CreateMeetingBody, ORGANISE_PERMISSION, REGISTER_PERMISSION, RegisterBody, UpdateMeetingBody } from './model.ts';
import { createMeeting } from './commands/create-meeting.ts';
import { updateMeeting } from './commands/update-meeting.ts';
import { sendMeeting } from './commands/send-meeting.ts';
import { cancelMeeting } from './commands/cancel-meeting.ts';
import { registerForMeeting } from './commands/register.ts';
import { remindPending } from './commands/remind.ts';
import { checkIn } from './commands/check-in.ts';
import { meetingForOrganiserView, visibleMeeting } from './queries/access.ts';
import { listMeetings, meetingView, registrationsOf } from './queries/meetings.ts';
import { attendeeWorkbook, signInSheet } from './exports.ts';

const tags = ['meetings'];
const IdParams = Strict({ id: Id });
const ListParams = Strict({ ...ListQuery, view: Type.Optional(StringEnum(['mine', 'organised', 'invited', 'all'] as const, { description: 'mine (default): organised by or sent to the caller’s unit; all: every notice (the supervision office)' })) });
const Created = Type.Object({ id: Type.String() });
const Any = Answer({});
const Xlsx = { description: 'The workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } };
const Pdf = { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const ORGANISER = 'The organising unit’s doc_clerk; anyone else: 404.';

function sendFile(reply: FastifyReply, body: Buffer, type: string, name: string, inline = false) {
  const disposition = contentDisposition(name);
  return reply
    .header('Content-Type', type)
    .header('Content-Disposition', inline ? disposition.replace(/^attachment/, 'inline') : disposition)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, no-store')
    .send(body);
}

/** Meeting notices and registration (会议通知报名). */
export async function meetingsApi(app: FastifyInstance, platform: Platform) {
  const write = <T>(request: FastifyRequest, fn: (work: Work) => Promise<T>) => inTransaction(platform.db, actorOf(request), fn);

  app.post<{ Body: Static<typeof CreateMeetingBody> }>(
    '/api/v1/meetings',
    { schema: { operationId: 'createMeeting', tags, summary: 'Draft a meeting notice for the caller’s unit', body: CreateMeetingBody, response: { 201: Created } }, config: { auth: ORGANISE_PERMISSION } },
    async (request, reply) => reply.status(201).send(await write(request, (work) => createMeeting(work, platform, request.principal!, request.body))),
  );

  app.get<{ Querystring: Static<typeof ListParams> }>(
    '/api/v1/meetings',
    { schema: { operationId: 'listMeetings', tags, summary: 'Notices the caller’s unit organises or is invited to, newest meeting first', querystring: ListParams, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => listMeetings(platform.db, request.principal!, { view: request.query.view ?? 'mine', limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id',
    { schema: { operationId: 'getMeeting', tags, summary: 'One notice: the organiser, an invited unit (with its answer) and the supervision office may read it; anyone else: 404', params: IdParams, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => meetingView(platform, await visibleMeeting(platform.db, request.principal!, request.params.id)),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateMeetingBody> }>(
    '/api/v1/meetings/:id',
    { schema: { operationId: 'updateMeeting', tags, summary: 'Change a notice; after it was sent every invited unit is told', description: ORGANISER, params: IdParams, body: UpdateMeetingBody, response: { 200: Any } }, config: { auth: ORGANISE_PERMISSION } },
    async (request) => write(request, (work) => updateMeeting(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id/send',
    { schema: { operationId: 'sendMeeting', tags, summary: 'Send the notice to every invited unit at once (one registration per unit, pending)', description: ORGANISER, params: IdParams, response: { 200: Any } }, config: { auth: ORGANISE_PERMISSION } },
    async (request) => write(request, (work) => sendMeeting(work, platform, request.principal!, request.params.id)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CancelBody> }>(
    '/api/v1/meetings/:id/cancel',
    { schema: { operationId: 'cancelMeeting', tags, summary: 'Cancel the meeting with a reason; every invited unit is told', description: ORGANISER, params: IdParams, body: CancelBody, response: { 200: Any } }, config: { auth: ORGANISE_PERMISSION } },
    async (request) => write(request, (work) => cancelMeeting(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RegisterBody> }>(
    '/api/v1/meetings/:id/registrations',
    {
      schema: {
        operationId: 'registerForMeeting',
        tags,
        summary: 'The caller’s unit answers: its attendees (each gets a check-in code) or a refusal with a reason; a new answer before the deadline replaces the last',
        description: 'A unit not invited: 404. After the deadline or with more attendees than allowed: 422.',
        params: IdParams,
        body: RegisterBody,
        response: { 200: Any },
      },
      config: { auth: REGISTER_PERMISSION },
    },
    async (request) => write(request, (work) => registerForMeeting(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id/registrations',
    { schema: { operationId: 'listMeetingRegistrations', tags, summary: 'Every invited unit and its answer, with attendees and arrivals', description: ORGANISER, params: IdParams, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => registrationsOf(platform, await meetingForOrganiserView(platform.db, request.principal!, request.params.id)),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id/remind',
    { schema: { operationId: 'remindMeetingUnits', tags, summary: 'Remind the units that have not answered', description: ORGANISER, params: IdParams, response: { 200: Any } }, config: { auth: ORGANISE_PERMISSION } },
    async (request) => write(request, (work) => remindPending(work, platform, request.principal!, request.params.id)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CheckInBody> }>(
    '/api/v1/meetings/:id/check-ins',
    { schema: { operationId: 'checkInAttendee', tags, summary: 'Mark an attendee arrived by the code; a second time: 409 with the first time', description: ORGANISER, params: IdParams, body: CheckInBody, response: { 200: Any } }, config: { auth: ORGANISE_PERMISSION } },
    async (request) => write(request, (work) => checkIn(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id/attendees.xlsx',
    { schema: { operationId: 'exportMeetingAttendees', tags, summary: 'The attendee list as an Excel workbook', description: ORGANISER, params: IdParams, response: { 200: Xlsx } }, config: { auth: 'user' } },
    async (request, reply) => {
      const meeting = await meetingForOrganiserView(platform.db, request.principal!, request.params.id);
      return sendFile(reply, await attendeeWorkbook(platform, meeting), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `${meeting.title}-参会人员.xlsx`);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/meetings/:id/sign-in-sheet.pdf',
    { schema: { operationId: 'meetingSignInSheet', tags, summary: 'The printable sign-in sheet (签到表) as PDF', description: ORGANISER, params: IdParams, response: { 200: Pdf } }, config: { auth: 'user' } },
    async (request, reply) => {
      const meeting = await meetingForOrganiserView(platform.db, request.principal!, request.params.id);
      return sendFile(reply, await signInSheet(platform, meeting), 'application/pdf', `${meeting.title}-签到表.pdf`, true);
    },
  );
}
