/** The list of notices and the composer (with the unit picker: checkboxes, no script needed). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { listUnits, type Unit } from '../../../platform/org/service.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { attempt, attr, Csrf, DataTable, EmptyRow, ErrorSummary, FormBody, formList, formText, PageQueryFields, redirect, setFlash, TextField, type FieldMessages } from '../../../platform/views/index.ts';
import { ORGANISE_PERMISSION, REGISTER_PERMISSION } from '../model.ts';
import { listMeetings } from '../queries/meetings.ts';
import { createMeeting } from '../commands/create-meeting.ts';
import { BASE, DateTimeField, fromLocal, meetingPath, TextArea, when } from './parts.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const FORM = 'meeting';

/** Every unit, by region and name, for the picker (at most a few thousand). */
async function allUnits(platform: Platform): Promise<Unit[]> {
  const out: Unit[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUnits(platform.db, { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 5000);
  return out;
}

async function renderList(platform: Platform, request: FastifyRequest, reply: FastifyReply) {
  const page = await listMeetings(platform.db, request.principal!, { view: 'mine', limit: 100 });
  const organised = page.items.filter((m) => m.organised);
  const invited = page.items.filter((m) => !m.organised);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.meetings.list.title'),
    lead: ctx.t('page.meetings.list.lead'),
    crumbs: [{ label: ctx.t('page.meetings.list.title') }],
    body: (
      <>
        {ctx.can(ORGANISE_PERMISSION) ? (
          <p>
            <a class="button" href={`${BASE}/new`}>
              {ctx.t('page.meetings.nav.compose')}
            </a>
          </p>
        ) : (
          ''
        )}
        <DataTable id="organised" caption={ctx.t('page.meetings.list.organised')} head={[ctx.t('page.meetings.field.title'), ctx.t('page.meetings.field.startsAt'), ctx.t('page.meetings.field.place'), ctx.t('page.meetings.list.state')]}>
          {organised.length ? (
            organised.map((m) => (
              <tr>
                <td>
                  <a href={attr(meetingPath(m.id))} safe>
                    {m.title}
                  </a>
                </td>
                <td safe>{when(ctx, m.startsAt)}</td>
                <td safe>{m.place}</td>
                <td>{ctx.t(`meetings.meeting.${m.state}`)}</td>
              </tr>
            ))
          ) : (
            <EmptyRow columns={4}>{ctx.t('page.meetings.list.none')}</EmptyRow>
          )}
        </DataTable>
        <DataTable id="invited" caption={ctx.t('page.meetings.list.invited')} head={[ctx.t('page.meetings.field.title'), ctx.t('page.meetings.list.organiser'), ctx.t('page.meetings.field.startsAt'), ctx.t('page.meetings.list.answer')]}>
          {invited.length ? (
            invited.map((m) => (
              <tr>
                <td>
                  <a href={attr(meetingPath(m.id))} safe>
                    {m.title}
                  </a>
                </td>
                <td safe>{m.organiserUnitName}</td>
                <td safe>{when(ctx, m.startsAt)}</td>
                <td>{m.state === 'cancelled' ? ctx.t('meetings.meeting.cancelled') : ctx.t(`meetings.state.${m.registrationState ?? 'pending'}`)}</td>
              </tr>
            ))
          ) : (
            <EmptyRow columns={4}>{ctx.t('page.meetings.list.none')}</EmptyRow>
          )}
        </DataTable>
      </>
    ),
  }));
}

async function renderCompose(platform: Platform, request: FastifyRequest, reply: FastifyReply, state: { values?: Record<string, string>; picked?: string[]; fields?: FieldMessages; summary?: string; status?: number } = {}) {
  const units = (await allUnits(platform)).filter((u) => u.id !== request.principal?.unitId);
  const v = state.values ?? {};
  const picked = new Set(state.picked ?? []);
  const f = state.fields ?? {};
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.meetings.compose.title'),
    lead: ctx.t('page.meetings.compose.lead'),
    crumbs: [{ href: BASE, label: ctx.t('page.meetings.list.title') }, { label: ctx.t('page.meetings.compose.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form={FORM} summary={state.summary} fields={f} status={state.status} labels={{ title: ctx.ta('page.meetings.field.title'), place: ctx.ta('page.meetings.field.place'), agenda: ctx.ta('page.meetings.field.agenda'), startsAt: ctx.ta('page.meetings.field.startsAt'), endsAt: ctx.ta('page.meetings.field.endsAt'), registrationDeadline: ctx.ta('page.meetings.field.deadline'), maxAttendeesPerUnit: ctx.ta('page.meetings.field.max'), invitedUnitIds: ctx.ta('page.meetings.field.units') }} />
        <form method="post" action={`${BASE}/new`} class="form" novalidate>
          <Csrf ctx={ctx} />
          <TextField ctx={ctx} form={FORM} name="title" label={ctx.ta('page.meetings.field.title')} value={v.title} error={f.title} maxlength={200} size="long" required />
          <DateTimeField ctx={ctx} form={FORM} name="startsAt" label={ctx.ta('page.meetings.field.startsAt')} value={v.startsAt ?? ''} error={f.startsAt} required />
          <DateTimeField ctx={ctx} form={FORM} name="endsAt" label={ctx.ta('page.meetings.field.endsAt')} value={v.endsAt ?? ''} error={f.endsAt} />
          <TextField ctx={ctx} form={FORM} name="place" label={ctx.ta('page.meetings.field.place')} value={v.place} error={f.place} maxlength={200} size="long" required />
          <TextArea ctx={ctx} form={FORM} name="agenda" label={ctx.ta('page.meetings.field.agenda')} value={v.agenda ?? ''} error={f.agenda} required rows={6} />
          <DateTimeField ctx={ctx} form={FORM} name="registrationDeadline" label={ctx.ta('page.meetings.field.deadline')} value={v.registrationDeadline ?? ''} error={f.registrationDeadline} required />
          <TextField ctx={ctx} form={FORM} name="maxAttendeesPerUnit" type="number" label={ctx.ta('page.meetings.field.max')} hint={ctx.ta('page.meetings.field.maxHint')} value={v.maxAttendeesPerUnit ?? '2'} error={f.maxAttendeesPerUnit} size="short" required />
          <TextField ctx={ctx} form={FORM} name="contact" label={ctx.ta('page.meetings.field.contact')} value={v.contact} error={f.contact} maxlength={50} />
          <TextField ctx={ctx} form={FORM} name="contactPhone" type="tel" label={ctx.ta('page.meetings.field.contactPhone')} value={v.contactPhone} error={f.contactPhone} maxlength={20} />
          <fieldset id={`${FORM}-invitedUnitIds`}>
            <legend class="fieldset-legend">
              {ctx.t('page.meetings.field.units')}
              <span class="required">{ctx.t('ui.required')}</span>
            </legend>
            {f.invitedUnitIds ? (
              <p class="field-error" safe>
                {f.invitedUnitIds}
              </p>
            ) : (
              ''
            )}
            <p class="field-hint">{ctx.t('page.meetings.compose.unitsHint')}</p>
            <div>
              {units.map((u, i) => (
                <div class="checkbox">
                  <input type="checkbox" id={`unit-${i}`} name="invitedUnitIds" value={attr(u.id)} checked={picked.has(u.id)} />
                  <label for={`unit-${i}`} safe>
                    {u.name}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <button type="submit" class="button">
            {ctx.t('page.meetings.compose.save')}
          </button>
        </form>
      </>
    ),
  }));
}

export async function listPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof PlainQuery> }>(BASE, { schema: { querystring: PlainQuery }, config: { auth: REGISTER_PERMISSION as `${string}.${string}` } }, (request, reply) => renderList(platform, request, reply));
  app.get<{ Querystring: Static<typeof PlainQuery> }>(`${BASE}/new`, { schema: { querystring: PlainQuery }, config: { auth: ORGANISE_PERMISSION as `${string}.${string}` } }, (request, reply) => renderCompose(platform, request, reply));
  app.post<{ Body: Static<typeof FormBody> }>(`${BASE}/new`, { schema: { body: FormBody }, config: { auth: ORGANISE_PERMISSION as `${string}.${string}` } }, async (request, reply) => {
    const names = ['title', 'startsAt', 'endsAt', 'place', 'agenda', 'registrationDeadline', 'maxAttendeesPerUnit', 'contact', 'contactPhone'];
    const values = Object.fromEntries(names.map((n) => [n, formText(request.body, n)]));
    const picked = formList(request.body, 'invitedUnitIds');
    const max = Number(values.maxAttendeesPerUnit);
    const fields: FieldMessages = {};
    const required = (name: string) => {
      if (!values[name]) fields[name] = translate(request.lang, 'page.meetings.check.required');
    };
    ['title', 'startsAt', 'place', 'agenda', 'registrationDeadline'].forEach(required);
    if (!Number.isInteger(max) || max < 1 || max > 50) fields.maxAttendeesPerUnit = translate(request.lang, 'page.meetings.check.max');
    if (!picked.length) fields.invitedUnitIds = translate(request.lang, 'page.meetings.check.units');
    if (Object.keys(fields).length) return renderCompose(platform, request, reply, { values, picked, fields, status: 400 });
    const result = await attempt(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) =>
        createMeeting(work, platform, request.principal!, {
          title: values.title,
          startsAt: fromLocal(values.startsAt),
          endsAt: values.endsAt ? fromLocal(values.endsAt) : null,
          place: values.place,
          agenda: values.agenda,
          invitedUnitIds: picked,
          registrationDeadline: fromLocal(values.registrationDeadline),
          maxAttendeesPerUnit: max,
          contact: values.contact || null,
          contactPhone: values.contactPhone || null,
        }),
      ),
    );
    if (!result.ok) return renderCompose(platform, request, reply, { values, picked, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.meetings.compose.saved' });
    return redirect(reply, meetingPath(result.value.id));
  });
}
