/**
 * One notice: the organiser's page (answers, remind, exports, send, cancel), the invited unit's
 * view with its answer and codes, the registration form and check-in at the door.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, Csrf, DataTable, EmptyRow, ErrorSummary, FormBody, formList, formText, Notice, PageQueryFields, PostButton, redirect, setFlash, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { ORGANISE_PERMISSION, REGISTER_PERMISSION, type AttendeeInputValue } from '../model.ts';
import { meetingForOrganiserView, visibleMeeting } from '../queries/access.ts';
import { meetingView, registrationsOf } from '../queries/meetings.ts';
import { sendMeeting } from '../commands/send-meeting.ts';
import { remindPending } from '../commands/remind.ts';
import { cancelMeeting } from '../commands/cancel-meeting.ts';
import { registerForMeeting } from '../commands/register.ts';
import { checkIn } from '../commands/check-in.ts';
import { BASE, meetingPath, TextArea, when } from './parts.tsx';

const Params = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields, done: Type.Optional(Type.String({ maxLength: 20 })) });
const organise = ORGANISE_PERMISSION as `${string}.${string}`;
const register = REGISTER_PERMISSION as `${string}.${string}`;
type View = Awaited<ReturnType<typeof meetingView>>;
type Registrations = Awaited<ReturnType<typeof registrationsOf>>;

function Details({ ctx, m }: { ctx: ViewContext; m: View }) {
  const row = (label: JSX.Element, value: string) => (
    <div>
      <dt>{label}</dt>
      <dd safe>{value}</dd>
    </div>
  );
  return (
    <dl class="summary-list">
      {row(ctx.t('page.meetings.list.organiser'), m.organiserUnitName)}
      {row(ctx.t('page.meetings.list.state'), ctx.ta(`meetings.meeting.${m.state}`))}
      {row(ctx.t('page.meetings.field.startsAt'), when(ctx, m.startsAt))}
      {m.endsAt ? row(ctx.t('page.meetings.field.endsAt'), when(ctx, m.endsAt)) : ''}
      {row(ctx.t('page.meetings.field.place'), m.place)}
      {row(ctx.t('page.meetings.field.deadline'), when(ctx, m.registrationDeadline))}
      {row(ctx.t('page.meetings.field.max'), String(m.maxAttendeesPerUnit))}
      {m.contact ? row(ctx.t('page.meetings.field.contact'), `${m.contact} ${m.contactPhone ?? ''}`) : ''}
      {m.cancelReason ? row(ctx.t('page.meetings.view.cancelReason'), m.cancelReason) : ''}
      <div>
        <dt>{ctx.t('page.meetings.field.agenda')}</dt>
        <dd>
          {m.agenda.split('\n').map((line) => (
            <p safe>{line}</p>
          ))}
        </dd>
      </div>
    </dl>
  );
}

function Answers({ ctx, regs }: { ctx: ViewContext; regs: Registrations }) {
  return (
    <>
      <p>{ctx.t('page.meetings.view.counts', regs.counts)}</p>
      <DataTable id="answers" caption={ctx.t('page.meetings.view.answers')} head={[ctx.t('page.meetings.view.unit'), ctx.t('page.meetings.list.answer'), ctx.t('page.meetings.view.attendees')]}>
        {regs.items.length ? (
          regs.items.map((r) => (
            <tr>
              <td safe>{r.unitName}</td>
              <td>
                {ctx.t(`meetings.state.${r.state}`)}
                {r.reason ? <span class="muted" safe>{`（${r.reason}）`}</span> : ''}
              </td>
              <td>
                <ul>
                  {r.attendees.map((a) => (
                    <li>
                      <span safe>{`${a.name}（${a.position}） ${a.phone} · ${a.checkInCode}`}</span> {a.checkedInAt ? ctx.t('page.meetings.checkIn.arrivedAt', { time: when(ctx, a.checkedInAt) }) : ctx.t('page.meetings.checkIn.notArrived')}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))
        ) : (
          <EmptyRow columns={3}>{ctx.t('page.meetings.view.notSent')}</EmptyRow>
        )}
      </DataTable>
    </>
  );
}

async function renderMeeting(platform: Platform, request: FastifyRequest<{ Params: Static<typeof Params> }>, reply: FastifyReply, state: { cancelError?: string; status?: number } = {}) {
  const access = await visibleMeeting(platform.db, request.principal!, request.params.id);
  const m = await meetingView(platform, access);
  const regs = access.organiser || access.oversight ? await registrationsOf(platform, access.meeting) : null;
  const path = meetingPath(m.id);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: <span safe>{m.title}</span>,
    crumbs: [{ href: BASE, label: ctx.t('page.meetings.list.title') }, { label: <span safe>{m.title}</span> }],
    status: state.status,
    body: (
      <>
        <Details ctx={ctx} m={m} />
        {m.attachments.length ? (
          <>
            <h2>{ctx.t('page.meetings.view.attachments')}</h2>
            <ul>
              {m.attachments.map((f) => (
                <li>
                  <a href={`/api/v1/files/${attr(f.id)}`} safe>
                    {f.name}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ) : (
          ''
        )}
        {m.myRegistration ? (
          <section aria-labelledby="mine">
            <h2 id="mine">{ctx.t('page.meetings.view.mine')}</h2>
            <p>
              {ctx.t(`meetings.state.${m.myRegistration.state}`)}
              {m.myRegistration.reason ? <span safe>{`（${m.myRegistration.reason}）`}</span> : ''}
            </p>
            {m.myRegistration.attendees.length ? (
              <ul>
                {m.myRegistration.attendees.map((a) => (
                  <li>
                    <span safe>{`${a.name}（${a.position}） ${a.phone}`}</span> {ctx.t('page.meetings.view.code')}
                    <strong data-code={attr(a.checkInCode)} safe>
                      {a.checkInCode}
                    </strong>
                  </li>
                ))}
              </ul>
            ) : (
              ''
            )}
            {m.registrationOpen && ctx.can(REGISTER_PERMISSION) ? (
              <p>
                <a class="button" href={attr(meetingPath(m.id, '/register'))}>
                  {m.myRegistration.state === 'pending' ? ctx.t('page.meetings.register.title') : ctx.t('page.meetings.register.change')}
                </a>
              </p>
            ) : (
              <p class="muted">{m.state === 'cancelled' ? ctx.t('meetings.cancelled') : ctx.t('page.meetings.register.closed')}</p>
            )}
          </section>
        ) : (
          ''
        )}
        {access.organiser ? (
          <section aria-labelledby="actions">
            <h2 id="actions">{ctx.t('page.meetings.view.actions')}</h2>
            <ul class="actions">
              {m.state === 'draft' ? <li><PostButton ctx={ctx} action={`${path}/send`} label={ctx.ta('page.meetings.view.send')} variant="secondary" /></li> : ''}
              {m.state === 'sent' && m.registrationOpen ? <li><PostButton ctx={ctx} action={`${path}/remind`} label={ctx.ta('page.meetings.view.remind')} /></li> : ''}
              {m.state === 'sent' ? <li><a class="button button-secondary button-small" href={attr(`${path}/check-in`)}>{ctx.t('page.meetings.checkIn.title')}</a></li> : ''}
              <li><a class="button button-secondary button-small" href={attr(`/api/v1/meetings/${m.id}/attendees.xlsx`)}>{ctx.t('page.meetings.view.excel')}</a></li>
              <li><a class="button button-secondary button-small" href={attr(`/api/v1/meetings/${m.id}/sign-in-sheet.pdf`)}>{ctx.t('page.meetings.view.sheet')}</a></li>
            </ul>
          </section>
        ) : (
          ''
        )}
        {regs ? <Answers ctx={ctx} regs={regs} /> : ''}
        {access.organiser && m.state !== 'cancelled' ? (
          <form method="post" action={attr(`${path}/cancel`)} class="form" novalidate>
            <Csrf ctx={ctx} />
            <h2>{ctx.t('page.meetings.view.cancel')}</h2>
            <ErrorSummary ctx={ctx} form="cancel" fields={state.cancelError ? { reason: state.cancelError } : undefined} labels={{ reason: ctx.ta('page.meetings.view.cancelReason') }} />
            <TextArea ctx={ctx} form="cancel" name="reason" label={ctx.ta('page.meetings.view.cancelReason')} value="" error={state.cancelError} required rows={2} />
            <button type="submit" class="button button-danger">
              {ctx.t('page.meetings.view.cancel')}
            </button>
          </form>
        ) : (
          ''
        )}
      </>
    ),
  }));
}

async function renderRegister(platform: Platform, request: FastifyRequest<{ Params: Static<typeof Params> }>, reply: FastifyReply, state: { rows?: AttendeeInputValue[]; answer?: string; reason?: string; fields?: FieldMessages; summary?: string; status?: number } = {}) {
  const access = await visibleMeeting(platform.db, request.principal!, request.params.id);
  if (!access.registration) throw new AppError('NOT_FOUND');
  const m = await meetingView(platform, access);
  const current = m.myRegistration!;
  const rows: AttendeeInputValue[] = state.rows ?? current.attendees.map((a) => ({ name: a.name, position: a.position, phone: a.phone }));
  const filled = [...rows, ...Array.from({ length: Math.max(0, m.maxAttendeesPerUnit - rows.length) }, () => ({ name: '', position: '', phone: '' }))].slice(0, m.maxAttendeesPerUnit);
  const answer = state.answer ?? (current.state === 'declined' ? 'decline' : 'attend');
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.meetings.register.title'),
    lead: <span safe>{m.title}</span>,
    crumbs: [{ href: BASE, label: ctx.t('page.meetings.list.title') }, { href: meetingPath(m.id), label: <span safe>{m.title}</span> }, { label: ctx.t('page.meetings.register.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form="register" summary={state.summary} fields={state.fields} status={state.status} />
        <p>{ctx.t('page.meetings.register.limit', { max: m.maxAttendeesPerUnit, deadline: when(ctx, m.registrationDeadline) })}</p>
        <form method="post" action={attr(meetingPath(m.id, '/register'))} class="form" novalidate>
          <Csrf ctx={ctx} />
          <fieldset>
            <legend class="fieldset-legend">{ctx.t('page.meetings.register.answer')}</legend>
            <div class="checkbox">
              <input type="radio" id="answer-attend" name="answer" value="attend" checked={answer === 'attend'} />
              <label for="answer-attend">{ctx.t('page.meetings.register.attend')}</label>
            </div>
            <div class="checkbox">
              <input type="radio" id="answer-decline" name="answer" value="decline" checked={answer === 'decline'} />
              <label for="answer-decline">{ctx.t('page.meetings.register.decline')}</label>
            </div>
          </fieldset>
          {filled.map((row, i) => (
            <fieldset>
              <legend class="fieldset-legend">{ctx.t('page.meetings.register.person', { n: i + 1 })}</legend>
              <TextField ctx={ctx} form="register" name={`name-${i}`} label={ctx.ta('meetings.export.name')} value={row.name} error={state.fields?.[`attendees.${i}.name`]} maxlength={50} />
              <TextField ctx={ctx} form="register" name={`position-${i}`} label={ctx.ta('meetings.export.position')} value={row.position} error={state.fields?.[`attendees.${i}.position`]} maxlength={100} />
              <TextField ctx={ctx} form="register" name={`phone-${i}`} type="tel" label={ctx.ta('meetings.export.phone')} value={row.phone} error={state.fields?.[`attendees.${i}.phone`]} maxlength={20} />
            </fieldset>
          ))}
          <TextArea ctx={ctx} form="register" name="reason" label={ctx.ta('page.meetings.register.reason')} value={state.reason ?? current.reason ?? ''} error={state.fields?.reason} rows={2} />
          <button type="submit" class="button">
            {ctx.t('page.meetings.register.submit')}
          </button>
        </form>
      </>
    ),
  }));
}

async function renderCheckIn(platform: Platform, request: FastifyRequest<{ Params: Static<typeof Params> }>, reply: FastifyReply, state: { message?: string; status?: number } = {}) {
  const meeting = await meetingForOrganiserView(platform.db, request.principal!, request.params.id);
  const regs = await registrationsOf(platform, meeting);
  const path = meetingPath(meeting.id, '/check-in');
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.meetings.checkIn.title'),
    lead: <span safe>{meeting.title}</span>,
    crumbs: [{ href: BASE, label: ctx.t('page.meetings.list.title') }, { href: meetingPath(meeting.id), label: <span safe>{meeting.title}</span> }, { label: ctx.t('page.meetings.checkIn.title') }],
    status: state.status,
    body: (
      <>
        {state.message ? <Notice kind="error" title={<span safe>{state.message}</span>} /> : ''}
        <form method="post" action={attr(path)} class="form" novalidate>
          <Csrf ctx={ctx} />
          <TextField ctx={ctx} form="checkin" name="code" label={ctx.ta('page.meetings.checkIn.code')} maxlength={20} size="short" autocomplete="off" autofocus required />
          <button type="submit" class="button">
            {ctx.t('page.meetings.checkIn.submit')}
          </button>
        </form>
        <p>{ctx.t('page.meetings.checkIn.summary', { arrived: regs.counts.arrived, attendees: regs.counts.attendees })}</p>
        <Answers ctx={ctx} regs={regs} />
      </>
    ),
  }));
}

export async function meetingPages(app: FastifyInstance, platform: Platform) {
  type Req = { Params: Static<typeof Params>; Querystring: Static<typeof PlainQuery> };
  type Post = { Params: Static<typeof Params>; Body: Static<typeof FormBody> };
  const get = { schema: { params: Params, querystring: PlainQuery } };
  const post = { schema: { params: Params, body: FormBody } };
  const write = <T,>(request: FastifyRequest, fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(platform.db, actorOf(request), fn);

  app.get<Req>(`${BASE}/:id`, { ...get, config: { auth: 'user' } }, (request, reply) => renderMeeting(platform, request, reply));
  app.post<Post>(`${BASE}/:id/send`, { ...post, config: { auth: organise } }, async (request, reply) => {
    await write(request, (work) => sendMeeting(work, platform, request.principal!, request.params.id));
    setFlash(reply, { kind: 'success', key: 'page.meetings.view.sent' });
    return redirect(reply, meetingPath(request.params.id));
  });
  app.post<Post>(`${BASE}/:id/remind`, { ...post, config: { auth: organise } }, async (request, reply) => {
    const { reminded } = await write(request, (work) => remindPending(work, platform, request.principal!, request.params.id));
    setFlash(reply, { kind: 'success', key: 'page.meetings.view.reminded', params: { count: reminded } });
    return redirect(reply, meetingPath(request.params.id));
  });
  app.post<Post>(`${BASE}/:id/cancel`, { ...post, config: { auth: organise } }, async (request, reply) => {
    const result = await attempt(request.lang, () => write(request, (work) => cancelMeeting(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason') })));
    if (!result.ok) return renderMeeting(platform, request, reply, { cancelError: result.fields.reason ?? result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.meetings.view.cancelled' });
    return redirect(reply, meetingPath(request.params.id));
  });

  app.get<Req>(`${BASE}/:id/register`, { ...get, config: { auth: register } }, (request, reply) => renderRegister(platform, request, reply));
  app.post<Post>(`${BASE}/:id/register`, { ...post, config: { auth: register } }, async (request, reply) => {
    const answer = formText(request.body, 'answer');
    const reason = formText(request.body, 'reason');
    const rows: AttendeeInputValue[] = [];
    for (let i = 0; i < 50; i += 1) {
      const row = { name: formText(request.body, `name-${i}`), position: formText(request.body, `position-${i}`), phone: formText(request.body, `phone-${i}`) };
      if (row.name || row.position || row.phone) rows.push(row);
    }
    // Rows also come as repeated fields (name, position, phone), as a script or another client may post them.
    const names = formList(request.body, 'name');
    names.forEach((name, i) => {
      const row = { name: name.trim(), position: (formList(request.body, 'position')[i] ?? '').trim(), phone: (formList(request.body, 'phone')[i] ?? '').trim() };
      if (row.name || row.position || row.phone) rows.push(row);
    });
    const input = answer === 'decline' ? { decline: true as const, reason } : { attendees: rows.length ? rows : undefined };
    const result = await attempt(request.lang, () => write(request, (work) => registerForMeeting(work, platform, request.principal!, request.params.id, input)));
    if (!result.ok) return renderRegister(platform, request, reply, { rows, answer, reason, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.meetings.register.saved' });
    return redirect(reply, meetingPath(request.params.id));
  });

  app.get<Req>(`${BASE}/:id/check-in`, { ...get, config: { auth: organise } }, (request, reply) => renderCheckIn(platform, request, reply));
  app.post<Post>(`${BASE}/:id/check-in`, { ...post, config: { auth: organise } }, async (request, reply) => {
    try {
      const arrived = await write(request, (work) => checkIn(work, platform, request.principal!, request.params.id, { code: formText(request.body, 'code') || '-' }));
      setFlash(reply, { kind: 'success', key: 'page.meetings.checkIn.done', params: { name: arrived.name, unit: arrived.unitName } });
      return redirect(reply, meetingPath(request.params.id, '/check-in'));
    } catch (error) {
      if (!(error instanceof AppError) || !['MEETINGS_ALREADY_CHECKED_IN', 'NOT_FOUND', 'INVALID_STATE'].includes(error.code)) throw error;
      const problem = error.toProblem(request.lang) as { detail: string; checkedInAt?: string };
      const message = problem.checkedInAt ? `${problem.detail}（${new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(problem.checkedInAt))}）` : problem.detail;
      return renderCheckIn(platform, request, reply, { message, status: error.status });
    }
  });
}
