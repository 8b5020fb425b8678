/**
 * What the public interaction pages share: their navigation, form fields, the form token of a
 * visitor who is not signed in (and the CSRF token of one who is), the letter's text shown
 * escaped paragraph by paragraph, and the short-lived cookie that keeps the writer's tracking
 * number and query code between a form and the page it leads to.
 */
import Html from '@kitajs/html';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../platform/http/errors.ts';
import type { Platform } from '../../../platform/module.ts';
import { openField, sealField } from '../../../platform/crypto/fields.ts';
import { attr, describedBy, FieldNotes, formatDateTime, formText, type ViewContext } from '../../../platform/views/index.ts';
import type { CaseState, Channel } from '../model.ts';

/** A posted form of these pages: like the platform's FormBody, but a letter's text may be 50,000 characters (and more, to be refused with a message). */
const Value = Type.String({ maxLength: 60_000 });
export const LetterFormBody = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Value, Type.Array(Type.String({ maxLength: 4000 }), { maxItems: 20 })]), { maxProperties: 40 });

export const PUBLIC_FORM_COOKIE = 'zt_public_form';
export const LETTER_COOKIE = 'zt_interaction_letter';
const LETTER_COOKIE_S = 30 * 60;

/** The form token of these pages (the same double-submit cookie as the portal's sign-in forms). */
export function formToken(platform: Platform, request: FastifyRequest, reply: FastifyReply): string {
  const held = request.cookies[PUBLIC_FORM_COOKIE];
  if (held && /^[\w-]{20,100}$/.test(held)) return held;
  const token = platform.crypto.randomToken(24);
  reply.setCookie(PUBLIC_FORM_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: platform.config.behindTls, maxAge: 12 * 3600 });
  request.cookies[PUBLIC_FORM_COOKIE] = token;
  return token;
}

/** A posted form must carry the session's CSRF token (signed in) or the form token (not signed in). */
export function checkFormToken(request: FastifyRequest) {
  if (request.principal && request.viaCookie) {
    if (formText(request.body, '_csrf') !== request.principal.csrfToken) throw new AppError('CSRF_INVALID');
    return;
  }
  const held = request.cookies[PUBLIC_FORM_COOKIE];
  if (!held || formText(request.body, '_form') !== held) throw new AppError('CSRF_INVALID');
}

/** The hidden token field of a form: the session's CSRF token or the visitor's form token. */
export function FormToken({ ctx, token }: { ctx: ViewContext; token: string }) {
  return ctx.csrfToken ? <input type="hidden" name="_csrf" value={attr(ctx.csrfToken)} /> : <input type="hidden" name="_form" value={attr(token)} />;
}

/** Keeps the writer's number and code for half an hour (sealed, HttpOnly), so the letter's page can be reached by redirect. */
export function rememberLetter(platform: Platform, reply: FastifyReply, trackingNo: string, code: string) {
  reply.setCookie(LETTER_COOKIE, sealField(platform, JSON.stringify([trackingNo, code])), { path: '/interaction', httpOnly: true, sameSite: 'lax', secure: platform.config.behindTls, maxAge: LETTER_COOKIE_S });
}

/** The code remembered for this tracking number, if any. */
export function rememberedCode(platform: Platform, request: FastifyRequest, trackingNo: string): string | null {
  const raw = request.cookies[LETTER_COOKIE];
  if (!raw || raw.length > 500) return null;
  try {
    const [t, c] = JSON.parse(openField(platform, raw)) as [unknown, unknown];
    return typeof t === 'string' && typeof c === 'string' && t === trackingNo.toUpperCase() ? c : null;
  } catch {
    return null;
  }
}

export const channelName = (ctx: ViewContext, channel: Channel) => ctx.t(`interaction.public.channel.${channel}`);
export const stateName = (ctx: ViewContext, state: CaseState) => ctx.t(`interaction.public.state.${state}`);
export const when = (ctx: ViewContext, value: string | null) => (value ? <time datetime={attr(value)}>{Html.escapeHtml(formatDateTime(value, ctx.lang))}</time> : '');

/** The public pages' own navigation. */
export function InteractionNav({ ctx }: { ctx: ViewContext }) {
  const links = [
    ['/interaction', 'interaction.public.nav.home'],
    ['/interaction/write?channel=mayor_mailbox', 'interaction.public.nav.mayor'],
    ['/interaction/write?channel=unit_mailbox', 'interaction.public.nav.unit'],
    ['/interaction/write?channel=message_board', 'interaction.public.nav.message'],
    ['/interaction/board', 'interaction.public.nav.board'],
    ['/interaction/letters', 'interaction.public.nav.query'],
    ['/interaction/disclosure/guide', 'interaction.public.nav.disclosure'],
  ] as const;
  const mine = ctx.principal?.kind === 'public' ? ([['/interaction/mine', 'interaction.public.mine.title']] as const) : [];
  const here = ctx.path + (ctx.query.channel ? `?channel=${ctx.query.channel}` : '');
  return (
    <nav class="panel service-nav" aria-label={ctx.ta('interaction.public.nav.label')}>
      <ul class="actions">
        {[...links, ...mine].map(([href, key]) => (
          <li>
            <a href={attr(href)} aria-current={here === href ? 'page' : undefined}>
              {ctx.t(key)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A letter's or an answer's text as typed: escaped, one paragraph per line, long words wrapped. */
export function LetterText({ text }: { text: string }) {
  const lines = text.split(/\r?\n/);
  return (
    <div class="guide">
      {lines.map((line) => (
        <p safe>{line}</p>
      ))}
    </div>
  );
}

export function TextArea(props: { ctx: ViewContext; form: string; name: string; label: string; value?: string; error?: string; hint?: string; required?: boolean; rows?: number; maxlength?: number }) {
  const id = `${props.form}-${props.name}`;
  return (
    <div class={['field', props.error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{props.label}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </label>
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      <textarea
        class="input input-long"
        id={attr(id)}
        name={attr(props.name)}
        rows={String(props.rows ?? 6)}
        maxlength={props.maxlength}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        safe
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export function RadioGroup(props: { ctx: ViewContext; form: string; name: string; legend: string; value: string; options: Array<{ value: string; label: string }>; error?: string; hint?: string; required?: boolean }) {
  const id = `${props.form}-${props.name}`;
  return (
    <fieldset class={['field', props.error ? 'field-invalid' : '']} id={attr(id)} aria-describedby={describedBy(id, props.hint, props.error)}>
      <legend class="fieldset-legend">
        <span safe>{props.legend}</span>
        {props.required ? <span class="required">{props.ctx.t('ui.required')}</span> : ''}
      </legend>
      <FieldNotes id={id} hint={props.hint} error={props.error} />
      {props.options.map((o, i) => (
        <div class="checkbox">
          <input type="radio" id={`${attr(id)}-${i}`} name={attr(props.name)} value={attr(o.value)} checked={o.value === props.value} />
          <label for={`${attr(id)}-${i}`} safe>
            {o.label}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** The portal breadcrumb's first step: the interaction home. */
export const interactionCrumb = (ctx: ViewContext) => ({ href: '/interaction', label: ctx.t('interaction.public.home.title') });
