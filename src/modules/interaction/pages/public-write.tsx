/**
 * Writing a letter (写信): to the mayor, to a unit, a message for the board, and the disclosure
 * request (依申请公开) with the ID number, each with up to five attachments. The form posts
 * (multipart, so that files go with it without JavaScript) and redirects to a page showing the
 * tracking number and the query code, which the writer is told to keep.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf, fieldError, invalid, type FieldError } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attempt, attr, describedBy, ErrorSummary, FieldNotes, formRaw, formText, Notice, PageHeading, PageQueryFields, redirect, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { ATTACHMENT_OWNER, LIMITS, MAX_LETTER_FILES } from '../model.ts';
import { recordUpload } from '../../../platform/files/index.ts';
import { stagedLetterFiles } from './letter-uploads.ts';
import { fileErrors } from './case-files.tsx';
import { receiveCase } from '../commands/receive-case.ts';
import { mailboxUnits, type MailboxUnit } from '../queries/public.ts';
import { checkLetter, limitLetters, writerOf, type LetterInput } from '../routes/public.ts';
import { checkFormToken, FormToken, formToken, interactionCrumb, InteractionNav, LetterFormBody, RadioGroup, rememberedCode, rememberLetter, TextArea } from './public-parts.tsx';

const WRITE_CHANNELS = ['mayor_mailbox', 'unit_mailbox', 'message_board'] as const;
type WriteChannel = (typeof WRITE_CHANNELS)[number] | 'disclosure_request';

const WriteQuery = Strict({ channel: Type.Optional(Type.String({ maxLength: 40 })), unit: Type.Optional(Type.String({ maxLength: 64 })), ...PageQueryFields });
const PlainQuery = Strict({ ...PageQueryFields });
const TrackingParams = Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }) });

const FIELDS = ['targetUnitId', 'title', 'body', 'name', 'phone', 'email', 'idNumber', 'isPublic', 'category'] as const;
type Values = Partial<Record<(typeof FIELDS)[number], string>>;

interface FormState {
  channel: WriteChannel;
  units: MailboxUnit[];
  token: string;
  values: Values;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
  /** The largest attachment, in MB. */
  limitMb: number;
}

/** The letter's files: one input taking several (the browser's own chooser, no script needed). */
function FileField({ label, hint, error }: { label: string; hint: string; error?: string }) {
  const id = 'letter-attachments';
  return (
    <div class={['field', error ? 'field-invalid' : '']}>
      <label for={id}>
        <span safe>{label}</span>
      </label>
      <FieldNotes id={id} hint={hint} error={error} />
      <input class="input input-long" type="file" id={id} name="attachments" multiple aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)} />
    </div>
  );
}

const pathOf = (channel: WriteChannel) => (channel === 'disclosure_request' ? '/interaction/disclosure/apply' : `/interaction/write?channel=${channel}`);
const titleKey = (channel: WriteChannel) => `interaction.public.write.title.${channel}`;

function WriteForm({ ctx, state }: { ctx: ViewContext; state: FormState }) {
  const { channel, values, fields } = state;
  const disclosure = channel === 'disclosure_request';
  const labels: Record<string, string> = {
    targetUnitId: ctx.ta(disclosure ? 'interaction.public.write.disclosureUnit' : 'interaction.public.write.unit'),
    title: ctx.ta(disclosure ? 'interaction.public.write.disclosureTitle' : 'interaction.public.write.letterTitle'),
    body: ctx.ta(disclosure ? 'interaction.public.write.disclosureBody' : 'interaction.public.write.body'),
    name: ctx.ta('interaction.public.write.name'),
    phone: ctx.ta('interaction.public.write.phone'),
    email: ctx.ta('interaction.public.write.email'),
    idNumber: ctx.ta('interaction.public.write.idNumber'),
    isPublic: ctx.ta('interaction.public.write.isPublic'),
    category: ctx.ta('interaction.public.write.category'),
    attachments: ctx.ta('interaction.public.write.attachments'),
  };
  const unitOptions = state.units.map((u) => ({ value: u.id, label: u.name }));
  return (
    <section class="panel" aria-labelledby="write-form-title">
      <h2 id="write-form-title">{ctx.t(titleKey(channel))}</h2>
      <p>{ctx.t(`interaction.public.write.lead.${channel}`)}</p>
      <ErrorSummary ctx={ctx} form="letter" summary={state.summary} fields={fields} labels={labels} status={state.status} />
      <form method="post" action={attr(pathOf(channel))} enctype="multipart/form-data" class="form" novalidate>
        <FormToken ctx={ctx} token={state.token} />
        {channel === 'mayor_mailbox' ? (
          ''
        ) : (
          <SelectField
            ctx={ctx}
            form="letter"
            name="targetUnitId"
            label={labels.targetUnitId}
            options={unitOptions}
            placeholder={ctx.ta(channel === 'message_board' ? 'interaction.public.write.unitAny' : 'interaction.public.write.unitChoose')}
            value={values.targetUnitId}
            error={fields?.targetUnitId}
            required={channel !== 'message_board'}
          />
        )}
        <TextField ctx={ctx} form="letter" name="title" label={labels.title} value={values.title} error={fields?.title} maxlength={LIMITS.title} required size="long" />
        <TextArea ctx={ctx} form="letter" name="body" label={labels.body} hint={ctx.ta('interaction.public.write.bodyHint', { max: LIMITS.body })} value={values.body} error={fields?.body} maxlength={LIMITS.body} rows={10} required />
        <FileField label={labels.attachments} hint={ctx.ta('interaction.public.write.attachmentsHint', { max: MAX_LETTER_FILES, limitMb: state.limitMb })} error={fields?.attachments} />
        {disclosure ? '' : <TextField ctx={ctx} form="letter" name="category" label={labels.category} hint={ctx.ta('interaction.public.write.categoryHint')} value={values.category} error={fields?.category} maxlength={LIMITS.category} />}
        <TextField ctx={ctx} form="letter" name="name" label={labels.name} value={values.name} error={fields?.name} maxlength={LIMITS.name} autocomplete="name" required />
        <TextField ctx={ctx} form="letter" name="phone" type="tel" label={labels.phone} hint={ctx.ta('interaction.public.write.phoneHint')} value={values.phone} error={fields?.phone} maxlength={20} autocomplete="tel" inputmode="tel" required />
        <TextField ctx={ctx} form="letter" name="email" type="email" label={labels.email} value={values.email} error={fields?.email} maxlength={LIMITS.email} autocomplete="email" />
        {disclosure ? (
          <TextField ctx={ctx} form="letter" name="idNumber" label={labels.idNumber} hint={ctx.ta('interaction.public.write.idNumberHint')} value={values.idNumber} error={fields?.idNumber} maxlength={18} required />
        ) : (
          <RadioGroup
            ctx={ctx}
            form="letter"
            name="isPublic"
            legend={labels.isPublic}
            hint={ctx.ta('interaction.public.write.isPublicHint')}
            value={values.isPublic ?? 'yes'}
            options={[
              { value: 'yes', label: ctx.ta('interaction.public.write.publicYes') },
              { value: 'no', label: ctx.ta('interaction.public.write.publicNo') },
            ]}
            error={fields?.isPublic}
            required
          />
        )}
        <p class="muted">{ctx.t('interaction.public.write.privacy')}</p>
        <button type="submit" class="button">
          {ctx.t('interaction.public.write.submit')}
        </button>
      </form>
    </section>
  );
}

const lengthOf = (text: string) => [...text].length;

/** The posted form as the API's input, with what is wrong per field (lengths counted in characters, as the API does). */
function readForm(channel: WriteChannel, body: unknown): { input: LetterInput; values: Values; errors: FieldError[] } {
  const values: Values = {};
  for (const name of FIELDS) values[name] = name === 'body' ? formRaw(body, name) : formText(body, name);
  const input: LetterInput = {
    channel,
    targetUnitId: channel === 'mayor_mailbox' ? undefined : values.targetUnitId || undefined,
    title: values.title ?? '',
    body: values.body ?? '',
    name: values.name ?? '',
    phone: values.phone ?? '',
    email: values.email || undefined,
    idNumber: channel === 'disclosure_request' ? values.idNumber || undefined : undefined,
    isPublic: channel === 'disclosure_request' ? false : values.isPublic !== 'no',
    category: values.category || undefined,
  };
  const errors: FieldError[] = [];
  const tooLong = (name: keyof typeof LIMITS & keyof Values, max: number) => {
    if (lengthOf(values[name] ?? '') > max) errors.push(fieldError(name, 'interaction.public.tooLong', { max }));
  };
  tooLong('title', LIMITS.title);
  tooLong('body', LIMITS.body);
  tooLong('name', LIMITS.name);
  tooLong('email', LIMITS.email);
  tooLong('category', LIMITS.category);
  if (channel !== 'disclosure_request' && values.isPublic !== 'yes' && values.isPublic !== 'no') errors.push(fieldError('isPublic', 'interaction.public.choosePublic'));
  const known = new Set(errors.map((e) => e.path));
  for (const e of checkLetter(input)) if (!known.has(e.path)) errors.push(e);
  return { input, values, errors };
}

export async function publicWritePages(app: FastifyInstance, platform: Platform) {
  const limitMb = Math.floor(Math.min(platform.config.interactionUploadLimitBytes, platform.config.uploadLimitBytes) / (1024 * 1024));
  const render = (request: FastifyRequest, reply: FastifyReply, state: FormState) =>
    renderPortal(request, reply, (ctx) => ({
      title: ctx.t(titleKey(state.channel)),
      crumbs: [interactionCrumb(ctx), { label: ctx.t(titleKey(state.channel)) }],
      status: state.status,
      body: (
        <>
          <PageHeading title={ctx.t(titleKey(state.channel))} lead={ctx.t('interaction.public.write.pageLead')} />
          <InteractionNav ctx={ctx} />
          {state.channel === 'disclosure_request' ? (
            <p>
              <a href="/interaction/disclosure/guide">{ctx.t('interaction.public.guide.read')}</a>
            </p>
          ) : (
            ''
          )}
          <WriteForm ctx={ctx} state={state} />
        </>
      ),
    }));

  const show = async (request: FastifyRequest<{ Querystring: Static<typeof WriteQuery> }>, reply: FastifyReply, channel: WriteChannel) => {
    const units = channel === 'mayor_mailbox' ? [] : await mailboxUnits(platform.db);
    const unit = request.query.unit && units.some((u) => u.id === request.query.unit) ? request.query.unit : undefined;
    return render(request, reply, { channel, units, token: formToken(platform, request, reply), values: { targetUnitId: unit }, limitMb });
  };

  const submit = async (request: FastifyRequest<{ Body: Static<typeof LetterFormBody> }>, reply: FastifyReply, channel: WriteChannel) => {
    checkFormToken(request);
    const units = channel === 'mayor_mailbox' ? [] : await mailboxUnits(platform.db);
    const { input, values, errors } = readForm(channel, request.body);
    const files = stagedLetterFiles(request);
    errors.push(...fileErrors(files, 'attachments'));
    const done = await attempt(request.lang, async () => {
      if (errors.length) throw invalid(errors);
      await limitLetters(platform, request.ip, input.phone);
      // The letter and its files in one unit of work: the files are recorded already attached.
      return inTransaction(platform.db, actorOf(request), async (work) => {
        const got = await receiveCase(work, platform, { ...input, email: input.email?.trim() || null, category: input.category?.trim() || null, writerUserId: writerOf(request) });
        // The same letter posted again (a second click) carried the same files the first time.
        if (!got.duplicate) for (const file of files) if ('prepared' in file) await recordUpload(work, platform, file.prepared, { uploadedBy: writerOf(request), owner: { ownerType: ATTACHMENT_OWNER, ownerId: got.id } });
        return got;
      });
    });
    if (!done.ok) {
      const retry = done.error.extra?.retryAfter;
      if (typeof retry === 'number') reply.header('Retry-After', String(retry));
      return render(request, reply, { channel, units, token: formToken(platform, request, reply), values, fields: done.fields, summary: done.summary, status: done.error.status, limitMb });
    }
    rememberLetter(platform, reply, done.value.trackingNo, done.value.queryCode);
    return redirect(reply, `/interaction/letters/${done.value.trackingNo}/received`);
  };

  const channelOf = (raw: string | undefined): WriteChannel => ((WRITE_CHANNELS as readonly string[]).includes(raw ?? '') ? (raw as WriteChannel) : 'mayor_mailbox');

  app.get<{ Querystring: Static<typeof WriteQuery> }>('/interaction/write', { schema: { querystring: WriteQuery }, config: { auth: 'public' } }, async (request, reply) => show(request, reply, channelOf(request.query.channel)));
  app.post<{ Querystring: Static<typeof WriteQuery>; Body: Static<typeof LetterFormBody> }>(
    '/interaction/write',
    { schema: { querystring: WriteQuery, body: LetterFormBody }, config: { auth: 'public' } },
    async (request, reply) => submit(request, reply, channelOf(request.query.channel)),
  );
  app.get<{ Querystring: Static<typeof WriteQuery> }>('/interaction/disclosure/apply', { schema: { querystring: WriteQuery }, config: { auth: 'public' } }, async (request, reply) => show(request, reply, 'disclosure_request'));
  app.post<{ Querystring: Static<typeof WriteQuery>; Body: Static<typeof LetterFormBody> }>(
    '/interaction/disclosure/apply',
    { schema: { querystring: WriteQuery, body: LetterFormBody }, config: { auth: 'public' } },
    async (request, reply) => submit(request, reply, 'disclosure_request'),
  );

  // After the post: the number and the code, once more only while the short-lived cookie lasts.
  app.get<{ Params: Static<typeof TrackingParams>; Querystring: Static<typeof PlainQuery> }>(
    '/interaction/letters/:trackingNo/received',
    { schema: { params: TrackingParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      const trackingNo = request.params.trackingNo.toUpperCase();
      const code = rememberedCode(platform, request, trackingNo);
      if (!code) return redirect(reply, `/interaction/letters/${encodeURIComponent(trackingNo)}`);
      return renderPortal(request, reply, (ctx) => ({
        title: ctx.t('interaction.public.received.title'),
        crumbs: [interactionCrumb(ctx), { label: ctx.t('interaction.public.received.title') }],
        body: (
          <>
            <PageHeading title={ctx.t('interaction.public.received.title')} />
            <Notice kind="success" title={ctx.t('interaction.public.received.thanks')}>
              <p>{ctx.t('interaction.public.received.keep')}</p>
            </Notice>
            <section class="panel" aria-labelledby="received-codes">
              <h2 id="received-codes">{ctx.t('interaction.public.received.codes')}</h2>
              <dl class="stat-list">
                <dt>{ctx.t('interaction.public.letter.trackingNo')}</dt>
                <dd>
                  <span class="secret" id="tracking-no" safe>
                    {trackingNo}
                  </span>
                </dd>
                <dt>{ctx.t('interaction.public.letter.code')}</dt>
                <dd>
                  <span class="secret" id="query-code" safe>
                    {code}
                  </span>
                </dd>
              </dl>
              <p>{ctx.t('interaction.public.received.sms')}</p>
              <ul class="actions">
                <li>
                  <a class="button" href={attr(`/interaction/letters/${trackingNo}`)}>
                    {ctx.t('interaction.public.received.follow')}
                  </a>
                </li>
                <li>
                  <a href="/interaction">{ctx.t('interaction.public.home.title')}</a>
                </li>
              </ul>
            </section>
          </>
        ),
      }));
    },
  );
}
